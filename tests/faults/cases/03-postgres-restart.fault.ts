import { describe, it } from "vitest";
import { Harness } from "../support/harness.js";
import { seconds, tally } from "../support/load.js";
import { assertClean } from "../support/outcome.js";
import { timeline } from "../support/processes.js";
import { scale } from "../support/scale.js";

describe("fault 3: Postgres restarted in immediate mode", () => {
  it("acks nothing uncommitted: after crash recovery every accepted webhook is stored", async () => {
    const h = await Harness.start({ order: 3, name: "Postgres restart -m immediate (×2)" });
    const p = scale.phaseMs;
    const t = timeline();
    const load = h.startLoad(4 * p);
    for (const at of [p, 2.5 * p]) {
      await t.at(at);
      const from = t.now();
      await h.pg.restartImmediate();
      h.notes.push(`restart at ${seconds(from)}, accepting again after ${seconds(t.now() - from)}`);
    }
    await load.finished();
    const refused = load.exchanges().filter((e) => e.status !== 202);
    h.notes.push(`answers other than 202: ${tally(refused)}`);
    assertClean(await h.finish(), h);
  });
});
