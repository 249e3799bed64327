// The ingest ceiling of this machine: a bare express 5 app that buffers the body, publishes it to
// JetStream with a msgID (so the broker deduplicates, as the gateway's publish does) and answers
// 202 once the publish is acked. No verification, no tracing, no metrics, no logging: what is
// left of the gateway's work when everything Hookrail adds is taken away. Its publishes wait for
// the event loop's turn, as the gateway's do, so that those of one turn leave in one write
// (packages/messaging/src/send-turn.ts). Started by the benchmark as its own process, like the
// gateway, so it competes for the cores the same way.
import { sendTurn } from "@hookrail/messaging";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import express from "express";

const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const subject = process.env.CEILING_SUBJECT;
if (!subject) throw new Error("CEILING_SUBJECT is required");

const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
const js = jetstream(nc);
const app = express();
app.disable("x-powered-by");
app.post("/ingest", express.raw({ type: () => true, limit: "1mb" }), async (req, res) => {
  const id = req.get("x-github-delivery") ?? req.get("x-request-id") ?? "";
  try {
    await sendTurn();
    await js.publish(subject, req.body as Buffer, { msgID: id });
    res.status(202).json({ id });
  } catch (error) {
    res.status(503).json({ error: (error as Error).message });
  }
});
const server = app.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
process.once("SIGTERM", () => {
  server.close();
  void nc.drain().finally(() => process.exit(0));
});
