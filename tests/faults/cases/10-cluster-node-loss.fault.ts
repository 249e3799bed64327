import { jetstreamManager } from "@nats-io/jetstream";
import { describe, it } from "vitest";
import { Harness } from "../support/harness.js";
import { seconds, tally, within } from "../support/load.js";
import { assertClean } from "../support/outcome.js";
import { sleep, timeline, waitFor } from "../support/processes.js";
import { scale } from "../support/scale.js";

describe("fault 10: a three-node NATS cluster loses a node", () => {
  it("keeps R3 streams available and loses nothing when the stream leader is killed", async () => {
    const h = await Harness.start({
      order: 10,
      name: "3-node NATS cluster, R3 streams, stream leader kill -9",
      natsNodes: 3,
      env: { NATS_STREAM_REPLICAS: "3" },
    });
    const jsm = await jetstreamManager(h.nc);
    const streams = Object.values(h.topology.streams).map((s) => s.name);
    const replicas = async () =>
      Promise.all(streams.map(async (name) => (await jsm.streams.info(name)).config.num_replicas));
    // The services (and the harness's preparation before them) declare the streams with
    // NATS_STREAM_REPLICAS=3, so they are R3 and stay so (services used to set them back to R1).
    const afterBoot = await replicas();
    h.require(
      afterBoot.every((r) => r === 3),
      `the services' start kept the streams R3 (found R${afterBoot.join("/R")})`,
    );
    const allCurrent = async () => {
      for (const name of streams) {
        const info = await jsm.streams.info(name);
        const peers = info.cluster?.replicas ?? [];
        if (!info.cluster?.leader || peers.length !== 2 || peers.some((p) => !p.current))
          return false;
      }
      return true;
    };
    h.require(await waitFor(allCurrent, 30_000, 200), "both streams have three current replicas");

    const p = scale.phaseMs;
    const t = timeline();
    // Long enough for the two survivors to elect new leaders (2.9 waits seconds to call an election).
    const outageMs = Math.max(scale.outageMs, 12_000);
    const load = h.startLoad(3 * p + outageMs);
    await t.at(p);
    const leaderName = (await jsm.streams.info(h.topology.streams.webhooks.name)).cluster?.leader;
    const leader = h.nats.find((n) => n.name === leaderName);
    if (!leader) throw new Error(`no node named ${leaderName}`);
    await leader.kill();
    const killedAt = Date.now();
    await sleep(outageMs);
    await leader.start();
    const restartedAt = Date.now();
    await load.finished();

    const down = within(load.exchanges(), killedAt, restartedAt);
    const newLeader = (await jsm.streams.info(h.topology.streams.webhooks.name)).cluster?.leader;
    const failover = down.find((e) => e.status === 202);
    h.notes.push(
      `killed WEBHOOKS leader ${leaderName} for ${seconds(restartedAt - killedAt)}: answers meanwhile ${tally(down)}; first 202 ${failover ? seconds(failover.answeredAt - killedAt) : "never"} after the kill; leader now ${newLeader}`,
    );
    h.require(
      failover !== undefined,
      "two of three nodes accepted webhooks again before the third came back",
    );
    h.require(
      await waitFor(allCurrent, 30_000, 200),
      "the restarted node caught up: three current replicas again",
    );
    h.require(
      (await replicas()).every((r) => r === 3),
      "the streams are still R3",
    );
    assertClean(await h.finish(), h);
  });
});
