import { describe, it } from "vitest";
import { Harness } from "../support/harness.js";
import { seconds, tally, within } from "../support/load.js";
import type { NatsNode } from "../support/nats-server.js";
import { assertClean } from "../support/outcome.js";
import { sleep, timeline } from "../support/processes.js";
import { scale } from "../support/scale.js";

describe("fault 2: nats-server killed and restarted", () => {
  it("answers 503 and never 202 while the broker is down, and loses nothing", async () => {
    const h = await Harness.start({ order: 2, name: "nats-server kill -9, restart" });
    const node = h.nats[0] as NatsNode;
    const p = scale.phaseMs;
    const t = timeline();
    const load = h.startLoad(3 * p + scale.outageMs);
    await t.at(p);
    await node.kill();
    const killedAt = Date.now();
    await sleep(scale.outageMs);
    const restartAt = Date.now();
    await node.start();
    const upAt = Date.now();
    await load.finished();

    // Nothing sent after the kill can have been stored before the restart: no 202 for it.
    const down = within(load.exchanges(), killedAt, restartAt);
    h.require(down.length > 0, "requests were answered while NATS was down");
    h.require(
      down.every((e) => e.status !== 202),
      `no 202 while NATS was down (answers: ${tally(down)})`,
    );
    const firstAccepted = load.exchanges().find((e) => e.status === 202 && e.sentAt >= upAt);
    h.notes.push(
      `down ${seconds(restartAt - killedAt)}; answers meanwhile: ${tally(down)}; first 202 ${firstAccepted ? seconds(firstAccepted.answeredAt - upAt) : "never"} after the restart`,
    );
    assertClean(await h.finish(), h);
  });
});
