import { describe, it } from "vitest";
import { Harness } from "../support/harness.js";
import { seconds } from "../support/load.js";
import { assertClean } from "../support/outcome.js";
import { timeline } from "../support/processes.js";
import { scale } from "../support/scale.js";

describe("fault 1: kill -9 of a service mid-stream", () => {
  it("loses nothing when the gateway, the processor and the notifier are each killed and restarted", async () => {
    const h = await Harness.start({ order: 1, name: "kill -9 gateway, processor, notifier" });
    const p = scale.phaseMs;
    const t = timeline();
    h.startLoad(5 * p);
    const instances = ["gateway", "processor", "notifier"] as const;
    for (const [i, instance] of instances.entries()) {
      await t.at((i + 1) * p);
      const killedAt = t.now();
      await h.services.kill(instance);
      await h.services.start(instance);
      h.notes.push(
        `${instance} killed at ${seconds(killedAt)}, ready again after ${seconds(t.now() - killedAt)}`,
      );
    }
    assertClean(await h.finish(), h);
  });
});
