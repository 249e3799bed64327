import { type Kysely, sql, type Transaction } from "kysely";
import type { Database } from "./schema.js";

/** A retry timer: attempt `attempt` of a delivery becomes due at `dueAt`. */
export interface ScheduledAttempt {
  deliveryId: string;
  subscriptionId: string;
  webhookId: string;
  attempt: number;
  dueAt: Date;
}

/** Sets (or replaces) retry timers, inside the transaction that scheduled them. */
export async function scheduleAttempts(
  tx: Transaction<Database>,
  attempts: readonly ScheduledAttempt[],
): Promise<void> {
  if (attempts.length === 0) return;
  await tx
    .insertInto("delivery_schedule")
    .values(
      attempts.map((a) => ({
        delivery_id: a.deliveryId,
        subscription_id: a.subscriptionId,
        webhook_id: a.webhookId,
        attempt: a.attempt,
        due_at: a.dueAt,
      })),
    )
    .onConflict((oc) =>
      oc.column("delivery_id").doUpdateSet((eb) => ({
        attempt: eb.ref("excluded.attempt"),
        due_at: eb.ref("excluded.due_at"),
      })),
    )
    .execute();
}

/**
 * Removes the timers of deliveries whose attempt has just been recorded; a later attempt's timer
 * is set by the same transaction afterwards.
 */
export async function clearSchedules(
  tx: Transaction<Database>,
  deliveryIds: readonly string[],
): Promise<void> {
  if (deliveryIds.length === 0) return;
  await tx.deleteFrom("delivery_schedule").where("delivery_id", "in", deliveryIds).execute();
}

/**
 * Claims up to `limit` due timers by pushing their due time `leaseMs` ahead, so that a timer
 * whose publish is lost fires again later, and concurrent notifiers never claim the same one.
 */
export async function claimDueAttempts(
  db: Kysely<Database>,
  limit: number,
  leaseMs: number,
): Promise<ScheduledAttempt[]> {
  const { rows } = await sql<{
    delivery_id: string;
    subscription_id: string;
    webhook_id: string;
    attempt: number;
    due_at: Date;
  }>`
    UPDATE delivery_schedule s SET due_at = now() + ${`${leaseMs} milliseconds`}::interval
    FROM (
      SELECT delivery_id FROM delivery_schedule WHERE due_at <= now()
      ORDER BY due_at LIMIT ${limit} FOR UPDATE SKIP LOCKED
    ) due
    WHERE s.delivery_id = due.delivery_id
    RETURNING s.delivery_id, s.subscription_id, s.webhook_id, s.attempt, s.due_at`.execute(db);
  return rows.map((r) => ({
    deliveryId: r.delivery_id,
    subscriptionId: r.subscription_id,
    webhookId: r.webhook_id,
    attempt: r.attempt,
    dueAt: r.due_at,
  }));
}
