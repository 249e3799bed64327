import { z } from "zod";
import { duration, natsUrls, postgresUrl } from "./types.js";

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
  NATS_STREAM_REPLICAS: z.coerce
    .number()
    .int()
    .min(1)
    .max(5)
    .default(1)
    .describe(
      "Replicas of each Hookrail stream: 3 on a three-node JetStream cluster. Every service declares the streams at start with this value, so give all of them the same one.",
    ),
  NATS_ACK_WAIT: duration()
    .prefault("30s")
    .describe(
      "How long JetStream waits for a consumer's acknowledgement before it redelivers; longer than the slowest batch a processor or notifier handles.",
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
  /** Optional only for callers that build a config by hand (tests): parsing always sets it. */
  NATS_STREAM_REPLICAS?: number;
  /** Milliseconds; optional as above. */
  NATS_ACK_WAIT?: number;
  DATABASE_URL: string;
  LOG_LEVEL: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  DATABASE_POOL_SIZE: number;
};
