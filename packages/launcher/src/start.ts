import { createLogger } from "@hookrail/observability";
import { childEnvironment, loadLauncherConfig } from "./env.js";
import { formatLogLine } from "./format.js";
import { prepareInfrastructure } from "./prepare.js";
import { DEFAULT_OPS_PORT, SERVICE_NAMES } from "./services.js";
import { type ServiceProcess, spawnService } from "./spawn.js";

const COLOURS = ["\x1b[36m", "\x1b[35m", "\x1b[33m", "\x1b[32m"];
const RESET = "\x1b[0m";

/**
 * `pnpm start`: prepares the database and streams, runs every service as its own process with
 * prefixed, readable logs, and stops them all cleanly on Ctrl-C. If one dies, the rest are
 * stopped and the exit code says so.
 */
export async function start(args: readonly string[]): Promise<number> {
  const raw = args.includes("--json");
  const config = loadLauncherConfig();
  const logger = createLogger({ service: "launcher", level: config.LOG_LEVEL });
  await prepareInfrastructure(config, logger);
  const width = Math.max(...SERVICE_NAMES.map((n) => n.length));
  const colour = process.stdout.isTTY;
  const env = childEnvironment();
  const processes: ServiceProcess[] = SERVICE_NAMES.map((name, i) => {
    const prefix = `${colour ? COLOURS[i % COLOURS.length] : ""}${name.padEnd(width)} |${colour ? RESET : ""}`;
    return spawnService(name, {
      env,
      // eslint-disable-next-line security/detect-object-injection -- name is a ServiceName from the launcher's fixed list
      opsPort: DEFAULT_OPS_PORT[name],
      onLine: (line) => process.stdout.write(`${prefix} ${raw ? line : formatLogLine(line)}\n`),
    });
  });

  let stopping = false;
  const stopAll = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`hookrail: ${reason}; stopping services…\n`);
    await Promise.all(processes.map((p) => p.stop()));
  };
  process.on("SIGINT", () => void stopAll("interrupted"));
  process.on("SIGTERM", () => void stopAll("terminated"));

  const firstExit = await Promise.race(
    processes.map((p) => p.exited.then((code) => ({ p, code }))),
  );
  const unexpected = !stopping;
  if (unexpected) await stopAll(`${firstExit.p.name} exited with code ${firstExit.code}`);
  const codes = await Promise.all(processes.map((p) => p.exited));
  process.stderr.write(
    // eslint-disable-next-line security/detect-object-injection -- numeric index from Array.map
    `hookrail: stopped (${processes.map((p, i) => `${p.name}=${codes[i]}`).join(", ")})\n`,
  );
  return unexpected ? 1 : codes.every((c) => c === 0) ? 0 : 1;
}
