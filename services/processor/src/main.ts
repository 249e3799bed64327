import { decodeWebhookStreamMessage } from "@hookrail/contracts";
import { startConsumer } from "@hookrail/messaging";
import { bootService, deadLetterSink, observeConsumers, recordBatch } from "@hookrail/runtime";
import { loadProcessorConfig } from "./env.js";
import { processBatch } from "./process-batch.js";

const config = loadProcessorConfig();
const service = await bootService({ service: "processor", config, opsPort: config.METRICS_PORT });
const { stream, durable } = service.topology.consumers.processor;

const consumer = startConsumer(service.nats, {
  stream,
  durable,
  logger: service.logger,
  batchSize: config.PROCESSOR_BATCH_SIZE,
  maxDeliveries: config.PROCESSOR_MAX_DELIVERIES,
  decode: decodeWebhookStreamMessage,
  handleBatch: (batch) => processBatch(service, batch),
  onDeadLetter: deadLetterSink(service.db),
  onBatch: recordBatch(durable),
});
// Its own backlog, and that of the notifier lanes it feeds (visible while the notifier is down).
observeConsumers(service.nats, [
  service.topology.consumers.processor,
  service.topology.consumers.notifierFirst,
  service.topology.consumers.notifierRetry,
]);
service.shutdown.onStopIntake({ name: "webhook consumer", stop: () => consumer.stop() });
service.logger.info({ stream, durable }, "processor consuming");
