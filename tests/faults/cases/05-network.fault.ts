import { describe, it } from "vitest";
import { Harness } from "../support/harness.js";
import { seconds, tally, within } from "../support/load.js";
import { assertClean } from "../support/outcome.js";
import { sleep, timeline } from "../support/processes.js";
import type { ToxicProxy } from "../support/proxy.js";
import { scale } from "../support/scale.js";

describe("fault 5: latency, a blackhole and resets between the services and NATS and Postgres", () => {
  it("loses nothing through a slow, a silent and a cut network", async () => {
    const h = await Harness.start({
      order: 5,
      name: "TCP proxy: latency, blackhole, reset (NATS and Postgres)",
      proxies: true,
    });
    const { nats, pg } = h.proxies as { nats: ToxicProxy; pg: ToxicProxy };
    const p = scale.phaseMs;
    const t = timeline();
    const load = h.startLoad(3 * p + 2 * scale.blackholeMs + 3_000);

    await t.at(p);
    nats.latency(scale.latencyMs);
    pg.latency(scale.latencyMs);
    const slowFrom = Date.now();
    await sleep(p);
    nats.latency(0);
    pg.latency(0);
    const slowTo = Date.now();
    await sleep(1_000); // what the latency delayed settles before the next toxic

    nats.blackhole();
    const natsFrom = Date.now();
    await sleep(scale.blackholeMs);
    nats.heal();
    const natsTo = Date.now();

    pg.blackhole();
    const pgFrom = Date.now();
    await sleep(scale.blackholeMs);
    pg.heal();
    const pgTo = Date.now();

    const cut = [nats.reset(), pg.reset()];
    await sleep(1_000);
    cut.push(nats.reset() + pg.reset());
    await load.finished();

    // Requests sent during a toxic and answered before the next one began.
    const describe = (what: string, from: number, to: number) => {
      const inside = within(load.exchanges(), from, to);
      const slowest = Math.max(0, ...inside.map((e) => e.answeredAt - e.sentAt));
      return `${what}: ${tally(inside)}, slowest ${seconds(slowest)}`;
    };
    h.notes.push(
      describe(`${scale.latencyMs} ms latency`, slowFrom, slowTo),
      describe(`NATS blackhole ${seconds(scale.blackholeMs)}`, natsFrom, natsTo + 1_000),
      describe(`Postgres blackhole ${seconds(scale.blackholeMs)}`, pgFrom, pgTo + 1_000),
      `connections reset: NATS ${cut[0]}, Postgres ${cut[1]}, then both ${cut[2]}`,
    );
    assertClean(await h.finish(), h);
  });
});
