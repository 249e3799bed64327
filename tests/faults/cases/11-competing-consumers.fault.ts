import { describe, it } from "vitest";
import { Harness } from "../support/harness.js";
import { assertClean } from "../support/outcome.js";
import { scale } from "../support/scale.js";

describe("fault 11: two processors and two notifiers at once", () => {
  it("stores each webhook once and delivers it at least once with competing consumers", async () => {
    const h = await Harness.start({
      order: 11,
      name: "two processors and two notifiers",
      instances: ["gateway", "processor", "processor#2", "notifier", "notifier#2"],
    });
    const load = h.startLoad(4 * scale.phaseMs);
    await load.finished();
    const outcome = await h.finish({
      inspect: () => {
        const conflicts = h.services.countLines("already recorded by another notifier");
        h.notes.push(`attempts another notifier had recorded first: ${conflicts}`);
      },
    });
    assertClean(outcome, h);
  });
});
