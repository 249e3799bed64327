import type {
  DeliveryAttempted,
  DeliveryFailed,
  DeliveryRequested,
  DeliveryRetryRequested,
  DeliveryRetryScheduled,
  DeliverySucceeded,
} from "@hookrail/contracts";
import { sql, type Transaction } from "kysely";
import type { StoredEvent } from "../append.js";
import type { Database } from "../schema.js";
import { bumpWebhookCounters } from "./webhooks.js";

type DeliveryChange = StoredEvent<
  | DeliveryAttempted
  | DeliverySucceeded
  | DeliveryRetryScheduled
  | DeliveryFailed
  | DeliveryRetryRequested
>;

/**
 * One row per delivery (webhook × subscription × request). Requests are inserted in one
 * statement; later changes are applied in log order, since each sets the state it describes.
 */
export async function projectDeliveries(
  tx: Transaction<Database>,
  events: readonly StoredEvent[],
): Promise<void> {
  const requested = events.filter(
    (e): e is StoredEvent<DeliveryRequested> => e.type === "DeliveryRequested",
  );
  if (requested.length > 0) {
    await tx
      .insertInto("deliveries")
      .values(
        requested.map((e) => ({
          id: e.data.deliveryId,
          webhook_id: e.data.webhookId,
          subscription_id: e.data.subscriptionId,
          status: "pending",
          created_at: e.recordedAt,
          updated_at: e.recordedAt,
        })),
      )
      .execute();
    await bumpWebhookCounters(
      tx,
      "deliveries_total",
      requested.map((e) => e.data.webhookId),
    );
  }
  await applyChanges(tx, events.filter(isDeliveryChange));
  await bumpWebhookCounters(
    tx,
    "deliveries_succeeded",
    events.filter((e) => e.type === "DeliverySucceeded").map((e) => e.data.webhookId),
  );
  await bumpWebhookCounters(
    tx,
    "deliveries_failed",
    events.filter((e) => e.type === "DeliveryFailed").map((e) => e.data.webhookId),
  );
  await bumpWebhookCounters(
    tx,
    "deliveries_failed",
    events.filter((e) => e.type === "DeliveryRetryRequested").map((e) => e.data.webhookId),
    -1,
  );
}

function isDeliveryChange(e: StoredEvent): e is DeliveryChange {
  return (
    e.type === "DeliveryAttempted" ||
    e.type === "DeliverySucceeded" ||
    e.type === "DeliveryRetryScheduled" ||
    e.type === "DeliveryFailed" ||
    e.type === "DeliveryRetryRequested"
  );
}

/** The columns a change sets, as the events describe them; `undefined`: left as it is. */
interface ChangedColumns {
  updated_at: Date;
  attempts?: number;
  last_status_code?: number | null;
  last_error?: string | null;
  status?: string;
  next_attempt_at?: string | null;
}

/** What one event sets on its delivery's row. Every value is a constant, never the row's own. */
function columnsOf(e: DeliveryChange): Omit<ChangedColumns, "updated_at"> {
  switch (e.type) {
    case "DeliveryAttempted":
      return {
        attempts: e.data.attempt,
        last_status_code: e.data.statusCode,
        last_error: e.data.error,
      };
    case "DeliverySucceeded":
      return { status: "succeeded", next_attempt_at: null };
    case "DeliveryRetryScheduled":
      return { status: "scheduled", next_attempt_at: e.data.nextAttemptAt };
    case "DeliveryFailed":
      return { status: "failed", next_attempt_at: null };
    case "DeliveryRetryRequested":
      // Reopened: no longer counted as failed (see the counters above).
      return { status: "pending", next_attempt_at: null };
  }
}

/**
 * Applies the changes in log order, in one statement. Each event sets constants, so applying
 * them one after the other leaves each row as the last value given for each column: that is
 * folded here per delivery, and then written by one UPDATE for the whole batch, instead of an
 * UPDATE per event (two per successful attempt, each a round trip inside the transaction).
 * A column no event of the batch sets (or sets to `undefined`) keeps its value.
 */
async function applyChanges(tx: Transaction<Database>, changes: readonly DeliveryChange[]) {
  if (changes.length === 0) return;
  const rows = new Map<string, ChangedColumns>();
  for (const e of changes) {
    const row = rows.get(e.data.deliveryId) ?? { updated_at: e.recordedAt };
    row.updated_at = e.recordedAt;
    const c = columnsOf(e);
    if (c.attempts !== undefined) row.attempts = c.attempts;
    if (c.last_status_code !== undefined) row.last_status_code = c.last_status_code;
    if (c.last_error !== undefined) row.last_error = c.last_error;
    if (c.status !== undefined) row.status = c.status;
    if (c.next_attempt_at !== undefined) row.next_attempt_at = c.next_attempt_at;
    rows.set(e.data.deliveryId, row);
  }
  const ids = [...rows.keys()];
  const values = [...rows.values()];
  const given = (pick: (r: ChangedColumns) => unknown) => values.map((r) => pick(r) !== undefined);
  const value = (pick: (r: ChangedColumns) => unknown) => values.map((r) => pick(r) ?? null);
  await sql`
    UPDATE deliveries AS d SET
      updated_at = v.updated_at,
      attempts = CASE WHEN v.set_attempts THEN v.attempts ELSE d.attempts END,
      last_status_code =
        CASE WHEN v.set_last_status_code THEN v.last_status_code ELSE d.last_status_code END,
      last_error = CASE WHEN v.set_last_error THEN v.last_error ELSE d.last_error END,
      status = CASE WHEN v.set_status THEN v.status ELSE d.status END,
      next_attempt_at =
        CASE WHEN v.set_next_attempt_at THEN v.next_attempt_at ELSE d.next_attempt_at END
    FROM unnest(
      ${ids}::uuid[],
      ${values.map((r) => r.updated_at)}::timestamptz[],
      ${given((r) => r.attempts)}::bool[], ${value((r) => r.attempts)}::int[],
      ${given((r) => r.last_status_code)}::bool[], ${value((r) => r.last_status_code)}::int[],
      ${given((r) => r.last_error)}::bool[], ${value((r) => r.last_error)}::text[],
      ${given((r) => r.status)}::bool[], ${value((r) => r.status)}::text[],
      ${given((r) => r.next_attempt_at)}::bool[], ${value((r) => r.next_attempt_at)}::timestamptz[]
    ) AS v(
      id, updated_at,
      set_attempts, attempts,
      set_last_status_code, last_status_code,
      set_last_error, last_error,
      set_status, status,
      set_next_attempt_at, next_attempt_at
    )
    WHERE d.id = v.id`.execute(tx);
}
