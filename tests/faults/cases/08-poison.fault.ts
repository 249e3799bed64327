import { randomUUID } from "node:crypto";
import { jetstream } from "@nats-io/jetstream";
import { headers as natsHeaders } from "@nats-io/transport-node";
import { describe, it } from "vitest";
import { Harness } from "../support/harness.js";
import { seconds } from "../support/load.js";
import { assertClean } from "../support/outcome.js";
import { timeline } from "../support/processes.js";
import { scale } from "../support/scale.js";

describe("fault 8: poison messages on the WEBHOOKS stream", () => {
  it("dead-letters the poison while the webhooks around it keep flowing", async () => {
    const h = await Harness.start({ order: 8, name: "poison messages among good ones" });
    const js = jetstream(h.nc);
    const subject = h.topology.subjects.webhookReceived(h.source.id);
    const publish = async (type: string, payload: string, extra: Record<string, string> = {}) => {
      const hdrs = natsHeaders();
      hdrs.set("Hookrail-Message-Type", type);
      for (const [k, v] of Object.entries(extra)) hdrs.set(k, v);
      return (await js.publish(subject, payload, { msgID: randomUUID(), headers: hdrs })).seq;
    };
    const p = scale.phaseMs;
    const t = timeline();
    const load = h.startLoad(3 * p);
    await t.at(p);
    const poison = [
      // Undecodable: a received webhook without its headers.
      await publish("webhook.received", '{"not":"a webhook"}'),
      // Not JSON at all, as a replay request.
      await publish("webhook.replay-requested", "\u0000garbage"),
    ];
    // Through the front door: a correctly signed webhook whose body holds a raw NUL byte (not
    // valid JSON, but the gateway does not parse it). If it is answered 202, it must be stored.
    const nulKey = `${h.prefix}-nul`;
    load.send(nulKey, `{"key":"${nulKey}","text":"a\u0000b"}`, "order.even");
    await t.at(2 * p);
    // Well-formed, but the handler fails on every delivery: a replay of a webhook that does not exist.
    poison.push(
      await publish(
        "webhook.replay-requested",
        JSON.stringify({
          kind: "webhook.replay-requested",
          webhookId: randomUUID(),
          replayId: randomUUID(),
          requestedAt: new Date().toISOString(),
        }),
      ),
    );
    const outcome = await h.finish({
      expectDeadLetters: true,
      inspect: (store) => {
        const dead = store.deadLetters.map((d) => d.streamSequence).sort((a, b) => a - b);
        h.require(
          JSON.stringify(dead) === JSON.stringify(poison) &&
            store.deadLetters.every((d) => d.kind === "pipeline" && d.consumer === "processor"),
          `exactly the poison (seqs ${poison.join(", ")}) dead-lettered as pipeline/processor (got ${dead.join(", ")})`,
        );
        // Head-of-line: how long accepted webhooks waited to be stored.
        const lags = [...load.sent.values()].flatMap((w) => {
          const stored = store.webhooks.get(w.key);
          return w.acceptedAt && stored ? [stored.recordedAt - w.acceptedAt] : [];
        });
        const worst = Math.max(0, ...lags);
        const nul = load.sent.get(nulKey);
        h.require(
          nul?.acceptedAt === undefined || store.webhooks.has(nulKey),
          "a webhook answered 202 is stored, even when its body holds a NUL byte",
        );
        h.notes.push(
          `slowest accepted → stored: ${seconds(worst)}; NUL-byte webhook answered ${nul?.exchanges.map((e) => e.status).join(",")}, ${store.webhooks.has(nulKey) ? "stored" : "not stored"}`,
        );
        h.require(
          worst < 10_000,
          `no webhook held up behind the poison for 10 s (${seconds(worst)})`,
        );
      },
    });
    assertClean(outcome, h, { expectDeadLetters: true });
  });
});
