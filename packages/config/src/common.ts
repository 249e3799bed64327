import { z } from "zod";
import { natsUrls, postgresUrl } from "./types.js";

/** Variables every Hookrail service understands (see docs/configuration.md and the contract). */
export const commonEnv = {
  /** NATS server URL, or a comma-separated list for a cluster. */
  NATS_URL: natsUrls().default(["nats://127.0.0.1:4222"]),
  /** Prefix of stream names and subjects; lets several installations (or test runs) share a NATS. */
  NATS_PREFIX: z
    .string()
    .regex(
      /^[a-z][a-z0-9_]{0,31}$/,
      "must be lowercase letters, digits or _, starting with a letter",
    )
    .default("hookrail"),
  /** The Postgres event store. The database is created at start when missing. */
  DATABASE_URL: postgresUrl().default("postgres://postgres@127.0.0.1:5432/hookrail"),
  /** pino level. */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Size of the Postgres connection pool of this process. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
};

export type CommonConfig = {
  NATS_URL: string[];
  NATS_PREFIX: string;
  DATABASE_URL: string;
  LOG_LEVEL: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  DATABASE_POOL_SIZE: number;
};
