import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { BackupError } from "../errors.js";

/**
 * A connection for a one-off job (the CLI, a verification): it fails fast when NATS is not
 * there, instead of waiting forever as a service's connection does.
 */
export async function openNats(servers: readonly string[], name: string): Promise<NatsConnection> {
  try {
    return await connect({ servers: [...servers], name, timeout: 5_000, maxReconnectAttempts: 5 });
  } catch (error) {
    throw new BackupError(
      `cannot connect to NATS ${servers.join(",")}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
