import { describe, it } from "vitest";
import { Harness } from "../support/harness.js";
import { seconds, tally, within } from "../support/load.js";
import { assertClean } from "../support/outcome.js";
import { sleep, timeline } from "../support/processes.js";
import { scale } from "../support/scale.js";

describe("fault 7: a read-only database", () => {
  it("acks nothing it could not write, and catches up once the database is writable again", async () => {
    const h = await Harness.start({ order: 7, name: "read-only Postgres, then writable" });
    const p = scale.phaseMs;
    const t = timeline();
    const load = h.startLoad(2 * p + scale.outageMs);
    await t.at(p);
    await h.pg.setReadOnly(true);
    const from = Date.now();
    await sleep(scale.outageMs);
    const storedWhileReadOnly = await h.pg.sql(
      "SELECT count(*) FROM events WHERE type = 'WebhookReceived'",
      "hookrail",
    );
    await h.pg.setReadOnly(false);
    const to = Date.now();
    await load.finished();
    h.notes.push(
      `read-only ${seconds(to - from)}: answers ${tally(within(load.exchanges(), from, to))}, ${storedWhileReadOnly.trim()} webhooks stored by its end`,
    );
    assertClean(await h.finish(), h);
  });
});
