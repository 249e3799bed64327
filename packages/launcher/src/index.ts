/**
 * @hookrail/launcher — runs the services as processes: `pnpm start`, the operator commands, and
 * the end-to-end tests and benchmark, which start the same processes the same way.
 */
export { main } from "./cli.js";
export { formatLogLine } from "./format.js";
export { prepareInfrastructure } from "./prepare.js";
export {
  DEFAULT_OPS_PORT,
  REPO_ROOT,
  SERVICE_NAMES,
  type ServiceName,
  serviceEntry,
} from "./services.js";
export { type ServiceProcess, type SpawnOptions, spawnService } from "./spawn.js";
