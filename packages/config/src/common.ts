import { z } from "zod";
import { natsUrls, postgresUrl } from "./types.js";

/**
 * Variables every Hookrail service understands. Each field's `.describe()` is its documentation:
 * `pnpm docs:config` renders them into docs/configuration.md.
 */
export const commonEnv = {
  NATS_URL: natsUrls()
    .default(["nats://127.0.0.1:4222"])
    .describe("NATS server URL, or a comma-separated list for a cluster."),
  NATS_PREFIX: z
    .string()
    .regex(
      /^[a-z][a-z0-9_]{0,31}$/,
      "must be lowercase letters, digits or _, starting with a letter",
    )
    .default("hookrail")
    .describe(
      "Prefix of stream names and subjects; lets several installations (or test runs) share a NATS.",
    ),
  DATABASE_URL: postgresUrl()
    .default("postgres://postgres@127.0.0.1:5432/hookrail")
    .describe("The Postgres event store. The database is created at start when missing."),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .default("info")
    .describe("pino log level."),
  DATABASE_POOL_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(200)
    .default(10)
    .describe("Size of the Postgres connection pool of this process."),
};

export type CommonConfig = {
  NATS_URL: string[];
  NATS_PREFIX: string;
  DATABASE_URL: string;
  LOG_LEVEL: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  DATABASE_POOL_SIZE: number;
};
