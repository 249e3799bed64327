import { createServer } from "node:http";
import { traceRequests } from "@hookrail/observability";
import { PostgresLeaseStore, RateLimiter } from "@hookrail/rate-limit";
import { bootService, observeConsumers } from "@hookrail/runtime";
import { SecretBox } from "@hookrail/secrets";
import { createApp } from "./app.js";
import { loadGatewayConfig } from "./env.js";

// Headers of a webhook message (ids, trace context) take at most this much of max_payload.
const HEADER_ALLOWANCE = 16 * 1024;

const config = loadGatewayConfig();
const service = await bootService({ service: "gateway", config, opsPort: config.METRICS_PORT });
// The gateway feeds the WEBHOOKS stream: it reports the backlog of the consumer downstream, so
// the backlog stays visible (and alertable) while the processor itself is down.
observeConsumers(service.nats, [service.topology.consumers.processor]);
const brokerLimit = (service.nats.info?.max_payload ?? 1_048_576) - HEADER_ALLOWANCE;
const maxBodyBytes = Math.min(config.MAX_BODY_BYTES, brokerLimit);
if (maxBodyBytes < config.MAX_BODY_BYTES) {
  service.logger.warn(
    { configured: config.MAX_BODY_BYTES, effective: maxBodyBytes },
    "MAX_BODY_BYTES exceeds what the broker accepts (max_payload); raise max_payload in nats-server to accept larger bodies",
  );
}

const secrets = new SecretBox(config.SECRETS_ENCRYPTION_KEYS);
if (!secrets.encrypting)
  service.logger.warn(
    "SECRETS_ENCRYPTION_KEYS is not set: source and subscription secrets are stored unencrypted",
  );
const rateLimiter = new RateLimiter(new PostgresLeaseStore(service.db));
const app = createApp({
  ...service,
  config,
  maxBodyBytes,
  secrets,
  rateLimiter,
  now: () => new Date(),
});
// Cut off slow clients: a request's headers must arrive within 10 s and all of it within 30 s.
// Node enforces these when it checks its connections, every 30 s by default. A shorter check
// interval would enforce them sooner, but Node does not restart these timers for each request on
// a kept-alive connection (nodejs/node#58140): a busy keep-alive client older than 10 s then has
// its next request cut off with a reset, as the ingest fuzzer found.
const server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, traceRequests(app));
server.listen(config.PORT, "0.0.0.0");
await new Promise<void>((resolve, reject) =>
  server.once("listening", resolve).once("error", reject),
);
server.keepAliveTimeout = 5_000;
service.shutdown.onStopIntake({
  name: "http server",
  stop: () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }),
});
service.logger.info({ port: config.PORT, maxBodyBytes }, "gateway listening");
