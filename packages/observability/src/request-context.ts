import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The request id of the work in progress. It lives in AsyncLocalStorage, so it follows the
 * work through awaits whether or not tracing is on, and every log line can carry it.
 */
const storage = new AsyncLocalStorage<{ requestId: string }>();

export function withRequestId<T>(requestId: string, work: () => T): T {
  return storage.run({ requestId }, work);
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
