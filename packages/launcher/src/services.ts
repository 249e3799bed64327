import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The repository root, found from this file (src/ or dist/ of packages/launcher). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export const SERVICE_NAMES = ["gateway", "processor", "notifier", "backup-agent"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Default ops ports (the contract); each can be moved with the service's METRICS_PORT. */
export const DEFAULT_OPS_PORT: Record<ServiceName, number> = {
  gateway: 9464,
  processor: 9465,
  notifier: 9466,
  "backup-agent": 9467,
};

export function serviceEntry(name: ServiceName): string {
  return resolve(REPO_ROOT, "services", name, "dist", "main.js");
}

/** The service's telemetry preload (`node --import`). */
export function serviceInstrument(name: ServiceName): string {
  return pathToFileURL(resolve(REPO_ROOT, "services", name, "dist", "instrument.js")).href;
}
