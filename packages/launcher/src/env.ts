import { commonEnv, loadConfig } from "@hookrail/config";
import { z } from "zod";

/** The launcher's own settings; the services parse theirs from the same environment. */
export const LauncherEnv = z.object(commonEnv);

export const loadLauncherConfig = () => loadConfig(LauncherEnv, "hookrail");

/** The environment handed to the services: the launcher's, unchanged. */
export function childEnvironment(): Record<string, string | undefined> {
  return { ...process.env };
}
