/**
 * @hookrail/config — each service parses its environment once, at start, into a typed object.
 * Nothing else in Hookrail reads `process.env`.
 */
export { ConfigError, loadConfig, parseConfig } from "./parse.js";
export { commonEnv, type CommonConfig } from "./common.js";
export { csvList, duration, natsUrls, port, postgresUrl } from "./types.js";
