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

/** Sets (or replaces) a delivery's retry timer, inside the transaction that scheduled it. */
export async function scheduleAttempt(tx: Transaction<Database>, a: ScheduledAttempt): Promise<void> {
  await tx
    .insertInto("delivery_schedule")
    .values({
      delivery_id: a.deliveryId,
      subscription_id: a.subscriptionId,
      webhook_id: a.webhookId,
      attempt: a.attempt,
      due_at: a.dueAt,
    })
    .onConflict((oc) =>
      oc.column("delivery_id").doUpdateSet({ attempt: a.attempt, due_at: a.dueAt }),
    )
    .execute();
}

/** Removes a delivery's timer once the attempt it was waiting for has been made. */
export async function clearSchedule(
  tx: Transaction<Database>,
  deliveryId: string,
  attempt: number,
): Promise<void> {
  await tx
    .deleteFrom("delivery_schedule")
    .where("delivery_id", "=", deliveryId)
    .where("attempt", "<=", attempt)
    .execute();
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
