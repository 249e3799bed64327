/**
 * @hookrail/messaging — the one way Hookrail talks to JetStream: connect, declare the topology,
 * publish with a stored-message acknowledgement, and consume in batches without losing a message.
 */

export type { NatsConnection } from "@nats-io/nats-core";
export { type ConsumerBacklog, consumerBacklogs } from "./backlog.js";
export { defaultRetryBackoffMs } from "./backoff.js";
export { connectNats, NatsConnectError } from "./connection.js";
export type {
  BatchInfo,
  ConsumedMessage,
  ConsumerHandle,
  ConsumerOptions,
  DeadLetter,
} from "./consume-types.js";
export { InvalidJsonError, jsonDecoder, type MessageDecoder } from "./consume-types.js";
export { startConsumer } from "./consumer.js";
export { classifyPublishError, PublishError, type PublishFailure } from "./publish-error.js";
export { type PublishAck, Publisher, type PublishItem, type PublishOptions } from "./publisher.js";
export { sendTurn } from "./send-turn.js";
export { declareTopology } from "./topology.js";
export {
  type ConsumerSettings,
  defaultConsumerSettings,
  defaultStreamLimits,
  type StreamLimits,
  TopologyError,
  topologySettings,
} from "./topology-settings.js";
export { extractTraceContext, injectTraceHeaders } from "./trace.js";
