import type { Transaction } from "kysely";
import type { StoredEvent } from "../append.js";
import type { Database } from "../schema.js";
import { projectAdmin } from "./admin.js";
import { projectDeliveries } from "./deliveries.js";
import { projectLifecycle } from "./lifecycle.js";
import { projectWebhooks } from "./webhooks.js";

/** The tables derived from events alone; a rebuild truncates and refills exactly these. */
export const PROJECTION_TABLES = [
  "sources",
  "subscriptions",
  "api_keys",
  "webhooks",
  "deliveries",
] as const;

/**
 * Updates every projection for `events` (in log order) inside the append's transaction.
 * Order matters across projectors: rows are created before counters on them move.
 */
export async function applyProjections(
  tx: Transaction<Database>,
  events: readonly StoredEvent[],
): Promise<void> {
  await projectAdmin(tx, events);
  await projectLifecycle(tx, events);
  await projectWebhooks(tx, events);
  await projectDeliveries(tx, events);
}
