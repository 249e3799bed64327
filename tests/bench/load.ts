import { Agent, request } from "node:http";

/** The answer to one request: an HTTP status, or a network error's code (`ECONNRESET`, `timeout`). */
export interface Answer {
  status: number | string;
  /** The start of the body of an answer other than 202, to say why. */
  detail?: string;
}

/** One POST with its own deadline; never rejects: a failure is an answer too. */
export type Post = (path: string, headers: Record<string, string>, body: Buffer) => Promise<Answer>;

/**
 * Posts to 127.0.0.1:`port` over `connections` keep-alive sockets, with node:http rather than fetch
 * so the load generator stays cheap on the machine it shares with what it measures.
 */
export function keepAlivePoster(port: number, connections: number, timeoutMs: number) {
  const agent = new Agent({
    keepAlive: true,
    maxSockets: connections,
    maxFreeSockets: connections,
  });
  const post: Post = (path, headers, body) =>
    new Promise((resolve) => {
      const req = request(
        {
          agent,
          host: "127.0.0.1",
          port,
          path,
          method: "POST",
          headers: { ...headers, "content-length": String(body.length) },
          timeout: timeoutMs,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          let detail = "";
          res.on("data", (chunk: Buffer) => {
            if (status !== 202 && detail.length < 300) detail += chunk.toString("utf8");
          });
          res.on("end", () => resolve(status === 202 ? { status } : { status, detail }));
          res.on("error", (error) => resolve({ status: errorCode(error) }));
        },
      );
      req.on("timeout", () =>
        req.destroy(Object.assign(new Error("timeout"), { code: "timeout" })),
      );
      req.on("error", (error) => resolve({ status: errorCode(error) }));
      req.end(body);
    });
  return { post, close: () => agent.destroy() };
}

function errorCode(error: Error): string {
  return (error as NodeJS.ErrnoException).code ?? error.message;
}

/** `workers` senders, each sending its next request when the last is answered, until `until`. */
export async function closedLoop(
  send: () => Promise<void>,
  workers: number,
  until: number,
): Promise<void> {
  const worker = async () => {
    while (performance.now() < until) await send();
  };
  await Promise.all(Array.from({ length: workers }, worker));
}

/**
 * Sends at `rate` per second, on schedule whatever the answers take, until `until`; never more than
 * `maxInFlight` at once (a send that would exceed it is skipped and counted), so a slow gateway shows
 * as a lower achieved rate rather than an unbounded queue in the runner.
 */
export async function openLoop(
  send: () => Promise<void>,
  rate: number,
  maxInFlight: number,
  until: number,
): Promise<{ skipped: number }> {
  const start = performance.now();
  const inFlight = new Set<Promise<void>>();
  let due = 0;
  let skipped = 0;
  while (performance.now() < until) {
    const target = Math.floor(((performance.now() - start) * rate) / 1000);
    for (; due < target; due++) {
      if (inFlight.size >= maxInFlight) {
        skipped++;
        continue;
      }
      const p = send().finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(inFlight);
  return { skipped };
}
