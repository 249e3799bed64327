import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** The Debian packages that bring each binary the infra tests run. */
const TOOLS = {
  promtool: { names: ["promtool"], pkg: "prometheus" },
  prometheus: { names: ["prometheus"], pkg: "prometheus" },
  amtool: { names: ["amtool"], pkg: "prometheus-alertmanager" },
  alertmanager: {
    names: ["prometheus-alertmanager", "alertmanager"],
    pkg: "prometheus-alertmanager",
  },
  "nats-server": { names: ["nats-server"], pkg: "nats-server" },
} as const;

export type Tool = keyof typeof TOOLS;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The path of a tool, or an error that says which Debian package to install. Debian puts
 * nats-server in /usr/sbin, which a non-root PATH may lack.
 */
export function findTool(tool: Tool): string {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/bin", "/usr/sbin"];
  for (const name of TOOLS[tool].names)
    for (const dir of dirs) if (dir && executable(join(dir, name))) return join(dir, name);
  const { pkg } = TOOLS[tool];
  throw new Error(
    `${tool} is not installed: install Debian's ${pkg} package (apt-get install -y ${pkg}), as .ci/run does`,
  );
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for assertion messages. */
  output: string;
}

/** Runs a tool to completion (these are quick checks: seconds, not minutes). */
export function runTool(tool: Tool, args: string[], cwd?: string): RunResult {
  const result = spawnSync(findTool(tool), args, { cwd, encoding: "utf8", timeout: 60_000 });
  if (result.error) throw result.error;
  return {
    code: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    output: `${result.stdout}\n${result.stderr}`,
  };
}
