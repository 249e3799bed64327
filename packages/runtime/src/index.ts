/**
 * @hookrail/runtime — the life of a Hookrail process: connect to NATS and Postgres, bring the
 * schema and streams up to date, serve the ops port, and stop cleanly on SIGTERM/SIGINT.
 */
export { type BootOptions, bootService, type Service } from "./boot.js";
export { deadLetterSink } from "./dead-letters.js";
export { observeConsumers, recordBatch } from "./observe.js";
export { Shutdown, type StopHook } from "./shutdown.js";
