import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "pino";

/** A dependency that /readyz checks; resolves when reachable, rejects with the reason otherwise. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

export interface OpsServerOptions {
  port: number;
  host?: string;
  checks: ReadinessCheck[];
  logger: Logger;
  /** Serves /metrics (the Prometheus exporter's handler). */
  metrics?: (req: IncomingMessage, res: ServerResponse) => void;
  checkTimeoutMs?: number;
}

/**
 * The ops port of every service: /healthz is 200 while the process lives; /readyz is 200 only
 * while every dependency answers, else 503 with the failing ones; /metrics for Prometheus.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") return json(res, 200, { status: "ok" });
    if (path === "/readyz")
      return void readiness(options).then((r) => json(res, r.ready ? 200 : 503, r));
    if (path === "/metrics" && options.metrics) return options.metrics(req, res);
    json(res, 404, { status: "not found" });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => resolve());
  });
  options.logger.info({ port: options.port }, "ops server listening");
  return server;
}

async function readiness(options: OpsServerOptions) {
  const timeout = options.checkTimeoutMs ?? 2000;
  const results = await Promise.all(
    options.checks.map(async (c) => {
      try {
        await withTimeout(c.check(), timeout);
        return { name: c.name, ok: true as const };
      } catch (error) {
        return { name: c.name, ok: false as const, reason: (error as Error).message };
      }
    }),
  );
  const failing = results.filter((r) => !r.ok);
  return {
    ready: failing.length === 0,
    status: failing.length === 0 ? "ready" : "not ready",
    checks: results,
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(resolve, reject).finally(() => clearTimeout(t));
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
