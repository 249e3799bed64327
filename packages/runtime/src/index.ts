/**
 * @hookrail/runtime — the life of a Hookrail process: connect to NATS and Postgres, bring the
 * schema and streams up to date, serve the ops port, and stop cleanly on SIGTERM/SIGINT.
 */
export { bootService, type BootOptions, type Service } from "./boot.js";
export { type StopHook, Shutdown } from "./shutdown.js";
export { deadLetterSink } from "./dead-letters.js";
