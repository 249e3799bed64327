import type { Topology } from "@hookrail/contracts";
import type { Database } from "@hookrail/event-store";
import type { Publisher } from "@hookrail/messaging";
import type { Logger } from "@hookrail/observability";
import type { RateLimiter } from "@hookrail/rate-limit";
import type { SecretBox } from "@hookrail/secrets";
import type { Kysely } from "kysely";
import type { GatewayConfig } from "./env.js";

/** What the gateway's handlers need; built in main.ts, replaced piecemeal in tests. */
export interface GatewayDeps {
  config: GatewayConfig;
  logger: Logger;
  db: Kysely<Database>;
  publisher: Publisher;
  topology: Topology;
  /** The effective body limit: MAX_BODY_BYTES, capped by what the broker accepts. */
  maxBodyBytes: number;
  /** Per-source and per-key limits shared by the replicas. */
  rateLimiter: RateLimiter;
  /** Seals secrets before they are stored, opens them when read. */
  secrets: SecretBox;
  now: () => Date;
}
