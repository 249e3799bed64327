import { ConfigError } from "@hookrail/config";
import { projections } from "./projections.js";
import { start } from "./start.js";

const HELP = `hookrail <command>
  start [--json]        run every service (pnpm start)
  projections check     compare projections with a replay of the event log
  projections rebuild   rebuild projections from the event log`;

/** Dispatches a command; resolves with the process exit code. */
export async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  try {
    if (command === "start") return await start(rest);
    if (command === "projections") return await projections(rest);
    process.stderr.write(`${HELP}\n`);
    return command === undefined || command === "help" ? 0 : 2;
  } catch (error) {
    if (error instanceof ConfigError) process.stderr.write(`hookrail: ${error.message}\n`);
    else process.stderr.write(`hookrail: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
