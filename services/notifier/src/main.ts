import { DeliveryRequestedMessage } from "@hookrail/contracts";
import {
  CircuitBreakers,
  createAddressGuard,
  createDispatcher,
  DEFAULT_CIRCUIT,
  KeyedLimiter,
} from "@hookrail/delivery";
import { startConsumer } from "@hookrail/messaging";
import { bootService, deadLetterSink, observeConsumers, recordBatch } from "@hookrail/runtime";
import { SecretBox } from "@hookrail/secrets";
import { deliverBatch } from "./deliver-batch.js";
import { loadNotifierConfig } from "./env.js";
import { startRetryTimer } from "./retry-timer.js";

const config = loadNotifierConfig();
const service = await bootService({ service: "notifier", config, opsPort: config.METRICS_PORT });
const dispatcher = createDispatcher({ guard: createAddressGuard(config.DELIVERY_ALLOWED_CIDRS) });
service.shutdown.onRelease({ name: "http agents", stop: async () => dispatcher.close() });

const deps = {
  db: service.db,
  logger: service.logger,
  dispatcher,
  breakers: new CircuitBreakers({
    ...DEFAULT_CIRCUIT,
    failureThreshold: config.CIRCUIT_FAILURE_THRESHOLD,
    openMs: config.CIRCUIT_OPEN,
  }),
  limiter: new KeyedLimiter(config.SUBSCRIPTION_CONCURRENCY),
  secrets: new SecretBox(config.SECRETS_ENCRYPTION_KEYS),
  schedule: config.DELIVERY_RETRY_SCHEDULE,
  timeoutMs: config.DELIVERY_TIMEOUT,
  now: () => new Date(),
};

// Two lanes with their own consumers and capacity: retries never starve first attempts.
for (const lane of [
  service.topology.consumers.notifierFirst,
  service.topology.consumers.notifierRetry,
]) {
  const consumer = startConsumer(service.nats, {
    stream: lane.stream,
    durable: lane.durable,
    logger: service.logger,
    batchSize: config.NOTIFIER_BATCH_SIZE,
    maxDeliveries: config.NOTIFIER_MAX_DELIVERIES,
    decode: (_headers, payload) =>
      DeliveryRequestedMessage.parse(JSON.parse(Buffer.from(payload).toString("utf8"))),
    handleBatch: (batch) => deliverBatch(deps, batch),
    onDeadLetter: deadLetterSink(service.db),
    onBatch: recordBatch(lane.durable),
    // Several batches in flight: one slow endpoint does not hold up the others.
    concurrency: config.NOTIFIER_CONCURRENCY,
  });
  service.shutdown.onStopIntake({ name: `${lane.durable} consumer`, stop: () => consumer.stop() });
}
observeConsumers(service.nats, [
  service.topology.consumers.notifierFirst,
  service.topology.consumers.notifierRetry,
]);
const stopTimer = startRetryTimer({ ...service, intervalMs: config.RETRY_POLL_INTERVAL });
service.shutdown.onStopIntake({ name: "retry timer", stop: stopTimer });
service.logger.info("notifier consuming");
