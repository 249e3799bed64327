import type { Database } from "@hookrail/event-store";
import { NotFound } from "@hookrail/http";
import type { Kysely } from "kysely";

export interface ReplayFilter {
  sourceId?: string;
  subscriptionId?: string;
  eventType?: string;
  status?: string;
  from?: string;
  to?: string;
}

// A bulk replay is an operator's tool, not an export: cap what one request can select.
const MAX_SELECTED = 100_000;

/**
 * The webhooks a bulk replay covers, oldest first. A subscription filter selects the webhooks
 * that subscription's own filters (sources, event types) would take.
 */
export async function selectWebhooks(db: Kysely<Database>, f: ReplayFilter): Promise<string[]> {
  let q = db.selectFrom("webhooks").select("id").orderBy("position").limit(MAX_SELECTED);
  if (f.sourceId) q = q.where("source_id", "=", f.sourceId);
  if (f.eventType) q = q.where("event_type", "=", f.eventType);
  if (f.status) q = q.where("status", "=", f.status);
  if (f.from) q = q.where("received_at", ">=", new Date(f.from));
  if (f.to) q = q.where("received_at", "<", new Date(f.to));
  if (f.subscriptionId) {
    const s = await db
      .selectFrom("subscriptions")
      .selectAll()
      .where("id", "=", f.subscriptionId)
      .executeTakeFirst();
    if (!s) throw new NotFound(`no subscription with id ${JSON.stringify(f.subscriptionId)}`);
    if (s.source_ids) q = q.where("source_id", "in", s.source_ids);
    if (!s.event_types.includes("*")) {
      const exact = s.event_types.filter((t) => !t.endsWith(".*"));
      const prefixes = s.event_types
        .filter((t) => t.endsWith(".*"))
        .map((t) => `${t.slice(0, -1)}%`);
      q = q.where((eb) =>
        eb.or([
          ...(exact.length ? [eb("event_type", "in", exact)] : []),
          ...prefixes.map((p) => eb("event_type", "like", p)),
        ]),
      );
    }
  }
  return (await q.execute()).map((r) => r.id);
}
