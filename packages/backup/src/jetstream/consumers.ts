import {
  type ConsumerConfig,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
} from "@nats-io/jetstream";

/** The ack floor of a durable consumer (stream sequence), or null when it does not exist. */
export async function ackFloorOf(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
): Promise<number | null> {
  try {
    const info = await jsm.consumers.info(stream, durable);
    return info.ack_floor.stream_seq;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/**
 * Recreates a durable consumer so that it delivers from `startSequence` on, keeping the rest of
 * its configuration (ack wait, filter, limits), so a later declareTopology finds it as it wants
 * it. Returns false when the consumer is not there to recreate.
 */
export async function restartConsumerAt(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  startSequence: number,
): Promise<boolean> {
  let config: ConsumerConfig;
  try {
    config = (await jsm.consumers.info(stream, durable)).config;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
  await jsm.consumers.delete(stream, durable);
  const { opt_start_time: _time, ...rest } = config;
  await jsm.consumers.add(stream, {
    ...rest,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: startSequence,
  });
  return true;
}

function isNotFound(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.ConsumerNotFound ||
      error.code === JetStreamApiCodes.StreamNotFound)
  );
}
