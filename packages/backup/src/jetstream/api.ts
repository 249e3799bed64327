import type { Msg, NatsConnection } from "@nats-io/nats-core";
import { BackupError } from "../errors.js";

/** The error object of a JetStream API response. */
interface ApiError {
  code?: number;
  err_code?: number;
  description?: string;
}

/**
 * A raw JetStream API request (`$JS.API.…`) for the calls nats.js has no helper for (snapshot,
 * restore). Throws a BackupError carrying the server's description when it answers an error.
 */
export async function apiRequest<T>(
  nc: NatsConnection,
  subject: string,
  body: unknown,
  timeoutMs: number,
): Promise<T> {
  let reply: Msg;
  try {
    reply = await nc.request(subject, JSON.stringify(body), { timeout: timeoutMs });
  } catch (error) {
    throw new BackupError(`${subject}: ${(error as Error).message}`, { cause: error });
  }
  return parseApiResponse<T>(subject, reply);
}

export function parseApiResponse<T>(subject: string, reply: Msg): T {
  let parsed: T & { error?: ApiError };
  try {
    parsed = reply.json<T & { error?: ApiError }>();
  } catch (error) {
    throw new BackupError(`${subject}: the server's answer is not JSON`, { cause: error });
  }
  if (parsed.error) {
    const e = parsed.error;
    throw new BackupError(
      `${subject}: ${e.description ?? "error"} (code ${e.code ?? "?"}, err_code ${e.err_code ?? "?"})`,
    );
  }
  return parsed;
}
