import { Agent, request } from "node:http";
import type { Socket } from "node:net";
import type { Cluster } from "../support/cluster.js";

/** One raw HTTP exchange: whatever the fuzzer made, sent as it is. */
export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The exchanges sent before this one on the same kept-alive connection, oldest first. */
  earlier?: string[];
}

/**
 * A client that reuses keep-alive connections (one Agent), so thousands of fuzz requests cost
 * milliseconds each. Header names and values go out unchanged; the caller keeps them within what
 * HTTP allows (Node refuses CR, LF and NUL before anything is sent).
 */
export function rawClient(baseUrl: string, maxSockets = 16) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const { hostname, port } = new URL(baseUrl);
  // What went over each connection, so that a failure can name what came before it on the same
  // socket (an exchange that leaves a connection in a bad state shows up on the next request).
  const history = new WeakMap<Socket, string[]>();
  const attempt = (r: RawRequest): Promise<RawResponse & { retry?: boolean }> =>
    new Promise((resolve, reject) => {
      const req = request(
        { agent, hostname, port, method: r.method, path: r.path, headers: framed(r) },
        (res) => {
          const socket = res.socket; // detached from the response by its end, when kept alive
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const exchange = {
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString("utf8"),
            };
            const log = history.get(socket) ?? [];
            history.set(socket, [...log, summarise(r, exchange)].slice(-HISTORY));
            resolve({ ...exchange, earlier: log });
          });
          res.on("error", reject);
        },
      );
      req.setTimeout(15_000, () => req.destroy(new Error(`timeout: ${r.method} ${r.path}`)));
      req.on("error", (error: NodeJS.ErrnoException) => {
        // An answer Node's client cannot read (headers over its 16 KiB): status -1, judged by the
        // caller (the server reflected something huge into a header).
        if (error.code === "HPE_HEADER_OVERFLOW")
          return resolve({ status: -1, headers: {}, text: error.code });
        if (error.code !== "ECONNRESET" && error.code !== "EPIPE") return reject(error);
        // A kept-alive socket the server had already closed: Node's documented race; send again.
        if (req.reusedSocket) return resolve({ status: 0, headers: {}, text: "", retry: true });
        // The server may answer an oversized request early and close the connection while the
        // body is still going out: that is an answer too (status 0), judged by the caller.
        resolve({ status: 0, headers: {}, text: error.code });
      });
      req.end(r.body);
    });
  const send = async (r: RawRequest): Promise<RawResponse> => {
    for (let i = 0; ; i++) {
      const { retry, ...res } = await attempt(r);
      if (!retry || i >= 3) return retry ? { ...res, text: "ECONNRESET" } : res;
    }
  };
  return { send, close: () => agent.destroy() };
}

const HISTORY = 3;

/**
 * The request's headers with its body framed. Node's client sends a body of DELETE, OPTIONS and
 * any method it does not frame by default without Content-Length on a kept-alive connection: the
 * server then reads those bytes as the next request, answers 400 and closes, and that 400 arrives
 * as the answer to whatever request goes next on the socket (a correctly signed webhook, once, in
 * CI). A real client frames its body, so the fuzzer does too.
 */
export function framed(r: RawRequest): Record<string, string> {
  if (r.body === undefined) return r.headers;
  const names = Object.keys(r.headers).map((k) => k.toLowerCase());
  if (names.includes("content-length") || names.includes("transfer-encoding")) return r.headers;
  return { ...r.headers, "content-length": String(r.body.length) };
}

/** One line: the request's method, path, framing-relevant headers and body size, and its answer. */
export function summarise(r: RawRequest, res: Pick<RawResponse, "status" | "text">): string {
  const headers = JSON.stringify(r.headers).slice(0, 300);
  return `${r.method} ${r.path.slice(0, 120)} headers=${headers} body=${r.body?.length ?? "none"} → ${res.status} ${res.text.slice(0, 120)}`;
}

/** What went before a failed exchange on its connection: a bad state may come from there. */
export function earlierOn(res: RawResponse): string {
  if (!res.earlier?.length) return "\n  (first exchange on its connection)";
  return `\n  earlier on the same connection, oldest first:\n    ${res.earlier.join("\n    ")}`;
}

/**
 * True when the server may fairly cut the connection instead of answering in full: headers over
 * Node's 16 KiB, or a body of more than 16 KiB that is refused before it is read (Node then stops
 * reading and resets rather than drain an unbounded upload).
 */
export function mayReset(r: RawRequest): boolean {
  const headerBytes = Object.entries(r.headers).reduce(
    (n, [k, v]) => n + k.length + v.length + 4,
    0,
  );
  return (r.body?.length ?? 0) > 16 * 1024 || headerBytes + r.path.length > 16 * 1024;
}

/** Runs `tasks` with at most `limit` in flight; results in order. */
export async function inParallel<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < tasks.length; i = next++) {
      // biome-ignore lint/style/noNonNullAssertion: i < tasks.length
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/**
 * How many generated requests a fuzz file sends: FUZZ_RUNS (default 10,000) is the total for the
 * ingest and admin fuzzers together, split evenly; `FUZZ_RUNS=1000000` runs the long campaign.
 */
export function fuzzRequests(): number {
  const total = Number(process.env.FUZZ_RUNS ?? 10_000);
  if (!Number.isSafeInteger(total) || total < 2)
    throw new Error("FUZZ_RUNS must be an integer ≥ 2");
  return Math.ceil(total / 2);
}

/** Room for a long campaign: ten minutes, or 20 ms a request when FUZZ_RUNS asks for more. */
export function fuzzTimeoutMs(): number {
  return Math.max(600_000, fuzzRequests() * 20);
}

// What a client must never see: stack frames, SQL or driver wording, source paths.
const LEAKS: { name: string; pattern: RegExp }[] = [
  { name: "stack frame", pattern: /\bat [\w$.<>]+ \(|\n\s+at /i },
  { name: "relation", pattern: /\brelation\b/i },
  { name: "column", pattern: /\bcolumn\b/i },
  { name: "SQL", pattern: /\b(select|insert|update|delete)\b[^"]*\b(from|into|set)\b/i },
  { name: "source path", pattern: /(\/[\w.-]+)+\.(?:ts|js|mjs|cjs)\b|node_modules/ },
  { name: "internal error", pattern: /TypeError|RangeError|ReferenceError|SyntaxError|ECONN/ },
];

/**
 * The leaks in a response, ignoring words the request itself carried (a 404 may quote the id it
 * was given, and that id may well be "column").
 */
export function leaksIn(responseText: string, requestText: string): string[] {
  return LEAKS.filter(
    ({ pattern }) => pattern.test(responseText) && !pattern.test(requestText),
  ).map(({ name }) => name);
}

/**
 * What every answer of the gateway must carry (helmet) and must not (Express's banner, CORS
 * grants): undefined when it is right. Answers Node's parser writes itself (no body) are exempt.
 */
export function hardeningProblem(res: RawResponse): string | undefined {
  if (res.status <= 0 || res.text === "") return undefined;
  const h = res.headers;
  if (!String(h["content-security-policy"] ?? "").includes("default-src 'none'"))
    return "no content-security-policy default-src 'none'";
  if (h["x-content-type-options"] !== "nosniff") return "no x-content-type-options: nosniff";
  if (h["x-powered-by"] !== undefined) return "an x-powered-by banner";
  if (h["access-control-allow-origin"] !== undefined)
    return "a CORS grant (access-control-allow-origin)";
  if (h["x-request-id"] === undefined) return "no x-request-id";
  return undefined;
}

/** Every service of the cluster still answers /healthz, and the gateway's /readyz is 200. */
export async function clusterHealth(cluster: Cluster): Promise<Record<string, number>> {
  const status: Record<string, number> = {};
  for (const [name, port] of Object.entries(cluster.opsPorts)) {
    if (!cluster.processes.has(name as keyof Cluster["opsPorts"])) continue;
    const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
    status[`${name} /healthz`] = res?.status ?? 0;
  }
  const ready = await fetch(`http://127.0.0.1:${cluster.opsPorts.gateway}/readyz`).catch(
    () => undefined,
  );
  status["gateway /readyz"] = ready?.status ?? 0;
  return status;
}

/** A tally of outcomes, printed at the end of a run so the counts are on record. */
export class Tally {
  readonly counts = new Map<string, number>();
  add(key: string, n = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
  toString(): string {
    return [...this.counts]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${k}=${n}`)
      .join(" ");
  }
}
