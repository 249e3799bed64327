import { createServer, type IncomingHttpHeaders } from "node:http";

/** One notification as Alertmanager's webhook_config posts it. */
export interface Notification {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  status: "firing" | "resolved";
  groupLabels: Record<string, string>;
  alerts: Array<{ status: "firing" | "resolved"; labels: Record<string, string> }>;
}

/**
 * The fire drill's stand-in for Alertmanager's receivers: an HTTP server on 127.0.0.1 that
 * records every notification with the time it arrived.
 */
export async function startAlertReceiver(): Promise<{
  url: string;
  notifications: Notification[];
  /** The first notification at or after `since` carrying `alertname` in state `status`. */
  find(alertname: string, status: "firing" | "resolved", since: number): Notification | undefined;
  close(): Promise<void>;
}> {
  const notifications: Notification[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Omit<
          Notification,
          "at" | "path" | "headers"
        >;
        notifications.push({ ...body, at: Date.now(), path: req.url ?? "", headers: req.headers });
        res.writeHead(200).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    notifications,
    find: (alertname, status, since) =>
      notifications.find(
        (n) =>
          n.at >= since &&
          n.alerts.some((a) => a.labels.alertname === alertname && a.status === status) &&
          // A resolved group is one where none of that alert is still firing.
          (status === "firing" ||
            !n.alerts.some((a) => a.labels.alertname === alertname && a.status === "firing")),
      ),
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
