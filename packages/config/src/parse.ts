import type { z } from "zod";

/** Raised when the environment does not satisfy a service's schema; names every bad variable. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses `env` with `schema`. Empty strings count as unset, so `FOO=` falls back to the default
 * rather than failing a number or URL check with a confusing message.
 */
export function parseConfig<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    // eslint-disable-next-line security/detect-object-injection -- keys are the operator's environment variable names and values are strings, so not even __proto__ can swap a prototype
    if (value !== undefined && value !== "") cleaned[key] = value;
  }
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.join(".") || "(environment)";
    const got = typeof issue.path[0] === "string" ? cleaned[issue.path[0]] : undefined;
    return `${variable}: ${issue.message}${got === undefined ? "" : ` (got ${JSON.stringify(got)})`}`;
  });
  throw new ConfigError(problems);
}

/**
 * Parses the process environment for a service's entry point. On failure it prints the problems
 * and exits with status 78 (EX_CONFIG), because a process with a bad configuration must not run.
 */
export function loadConfig<S extends z.ZodType>(schema: S, service: string): z.output<S> {
  try {
    return parseConfig(schema, process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${service}: ${error.message}\n`);
    process.exit(78);
  }
}
