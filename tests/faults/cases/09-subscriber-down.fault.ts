import { jetstreamManager } from "@nats-io/jetstream";
import { sql } from "kysely";
import { describe, it } from "vitest";
import { Harness } from "../support/harness.js";
import { seconds } from "../support/load.js";
import { assertClean } from "../support/outcome.js";
import { sleep, timeline } from "../support/processes.js";
import { scale } from "../support/scale.js";

describe("fault 9: the subscriber down for a while", () => {
  it("retries on the compressed schedule and delivers everything once it is back", async () => {
    const h = await Harness.start({ order: 9, name: "subscriber down, then back" });
    h.notes.push(
      `down ${seconds(scale.subscriberDownMs)}; DELIVERY_RETRY_SCHEDULE ${scale.retrySchedule}`,
    );
    const p = scale.phaseMs;
    const t = timeline();
    const load = h.startLoad(2 * p + scale.subscriberDownMs);
    await t.at(p);
    await h.subscriber.down();
    await sleep(scale.subscriberDownMs);
    await h.subscriber.up();
    await load.finished();
    const outcome = await h.finish({
      inspect: async () => {
        const { rows } = await sql<{ failed: number; retried: number }>`
          SELECT count(*) FILTER (WHERE type = 'DeliveryAttempted' AND (data->>'statusCode') IS NULL) AS failed,
                 count(*) FILTER (WHERE type = 'DeliveryRetryScheduled') AS retried
            FROM events`.execute(h.db);
        const r = rows[0];
        // Retry requests the timer's publishes actually stored (JetStream drops a repeated msgID).
        const jsm = await jetstreamManager(h.nc);
        const lanes = await jsm.streams.info(h.topology.streams.deliveries.name, {
          subjects_filter: `${h.prefix}.deliveries.retry.>`,
        });
        const retryMessages = Object.values(lanes.state.subjects ?? {}).reduce((a, b) => a + b, 0);
        h.notes.push(
          `${r?.failed} attempts failed to connect, ${r?.retried} retries scheduled, ${retryMessages} retry requests stored on the retry lane`,
        );
        h.require(Number(r?.failed) > 0, "attempts failed while the subscriber was down");
      },
    });
    assertClean(outcome, h);
  });
});
