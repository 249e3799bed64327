import { jetstreamManager } from "@nats-io/jetstream";
import { describe, it } from "vitest";
import { Harness } from "../support/harness.js";
import { seconds, tally } from "../support/load.js";
import type { NatsNode } from "../support/nats-server.js";
import { assertClean } from "../support/outcome.js";
import { sleep, timeline } from "../support/processes.js";
import { scale } from "../support/scale.js";

describe("fault 4: SIGSTOP pauses longer than the ack wait", () => {
  it("redelivers what a paused consumer held, and stores and delivers it once", async () => {
    const h = await Harness.start({
      order: 4,
      name: "SIGSTOP processor+notifier, then nats-server",
    });
    // The services declare a 30 s ack wait and read no variable for it. At CI scale the case
    // lowers it on the server once they have started (they declare only at boot), so that a
    // 5 s pause outlasts it; at large scale the pause outlasts the real 30 s.
    const jsm = await jetstreamManager(h.nc);
    const ackWaitMs = scale.ackWaitMs ?? 30_000;
    if (scale.ackWaitMs !== undefined) {
      for (const c of Object.values(h.topology.consumers)) {
        await jsm.consumers.update(c.stream, c.durable, { ack_wait: scale.ackWaitMs * 1_000_000 });
      }
    }
    h.notes.push(`ack wait ${seconds(ackWaitMs)}, pauses ${seconds(scale.pauseMs)}`);
    const p = scale.phaseMs;
    const t = timeline();
    const load = h.startLoad(2 * p + 2 * scale.pauseMs + 1_000);

    await t.at(p);
    h.services.pause("processor");
    h.services.pause("notifier");
    await sleep(scale.pauseMs);
    // Past the ack wait the server has handed what the paused instances held out again.
    const held = (await h.backlogs()).map(
      (b) => `${b.durable} ${b.ackPending} unacked/${b.redelivered} redelivered`,
    );
    h.notes.push(`before resuming: ${held.join(", ")}`);
    h.services.resume("processor");
    h.services.resume("notifier");

    await t.at(p + scale.pauseMs + 1_000);
    const nats = h.nats[0] as NatsNode;
    nats.pause();
    const pausedAt = Date.now();
    await sleep(scale.pauseMs);
    nats.resume();
    const resumedAt = Date.now();
    await load.finished();

    const sentWhileStopped = load
      .exchanges()
      .filter((e) => e.sentAt >= pausedAt && e.sentAt <= resumedAt);
    const slowest = Math.max(0, ...sentWhileStopped.map((e) => e.answeredAt - e.sentAt));
    h.notes.push(
      `requests sent while nats-server was stopped: ${tally(sentWhileStopped)}, slowest answered in ${seconds(slowest)}`,
    );
    assertClean(await h.finish(), h);
  });
});
