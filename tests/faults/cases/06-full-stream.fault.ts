import { declareTopology } from "@hookrail/messaging";
import { jetstreamManager } from "@nats-io/jetstream";
import { describe, it } from "vitest";
import { Harness } from "../support/harness.js";
import { seconds, tally, within } from "../support/load.js";
import { assertClean } from "../support/outcome.js";
import { sleep, waitFor } from "../support/processes.js";
import { scale } from "../support/scale.js";

describe("fault 6: a full WEBHOOKS stream", () => {
  it("answers 503, never 202, while the stream is full, and evicts nothing", async () => {
    const h = await Harness.start({
      order: 6,
      name: `full stream (max_msgs ${scale.fullStreamMessages}, DiscardNew)`,
      // The streams as the services declare them, plus a tiny max_msgs, which declareTopology
      // leaves alone (an operator's own limit).
      beforeServices: async (h) => {
        await declareTopology(h.nc, h.topology);
        const jsm = await jetstreamManager(h.nc);
        const { config } = await jsm.streams.info(h.topology.streams.webhooks.name);
        await jsm.streams.update(config.name, { ...config, max_msgs: scale.fullStreamMessages });
      },
    });
    const jsm = await jetstreamManager(h.nc);
    const stream = h.topology.streams.webhooks.name;
    const info = () => jsm.streams.info(stream);
    const kept = (await info()).config.max_msgs;
    h.require(
      kept === scale.fullStreamMessages,
      `the services kept the stream's max_msgs (${kept})`,
    );

    const load = h.startLoad(4 * scale.phaseMs + scale.outageMs);
    const filled = await waitFor(
      async () => (await info()).state.messages >= scale.fullStreamMessages,
      4 * scale.phaseMs + scale.outageMs,
      20,
    );
    h.require(filled, "the load filled the stream");
    const fullAt = Date.now();
    await sleep(scale.outageMs);
    const whileFull = await info();
    await jsm.streams.update(stream, { max_msgs: -1 });
    const raisedAt = Date.now();
    await load.finished();

    const full = within(load.exchanges(), fullAt, raisedAt);
    h.require(full.length > 0, "requests were answered while the stream was full");
    h.require(
      full.every((e) => e.status !== 202),
      `no 202 while full (answers: ${tally(full)})`,
    );
    h.require(
      whileFull.state.first_seq === 1 && whileFull.state.messages === scale.fullStreamMessages,
      `nothing evicted while full (first_seq ${whileFull.state.first_seq}, ${whileFull.state.messages} messages)`,
    );
    const end = (await info()).state;
    h.require(
      end.first_seq === 1 && end.messages === end.last_seq,
      `nothing evicted at the end (first_seq ${end.first_seq}, ${end.messages} of ${end.last_seq})`,
    );
    const resumed = load.exchanges().find((e) => e.status === 202 && e.sentAt >= raisedAt);
    h.notes.push(
      `full for ${seconds(raisedAt - fullAt)}: ${tally(full)}; first 202 ${resumed ? seconds(resumed.answeredAt - raisedAt) : "never"} after the limit was raised`,
    );
    assertClean(await h.finish(), h);
  });
});
