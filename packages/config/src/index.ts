/**
 * @hookrail/config — each service parses its environment once, at start, into a typed object.
 * Nothing else in Hookrail reads `process.env`.
 */

export { type CommonConfig, commonEnv } from "./common.js";
export { ConfigError, loadConfig, parseConfig } from "./parse.js";
export { csvList, duration, natsUrls, port, postgresUrl } from "./types.js";
