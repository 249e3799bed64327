import { createServer, type IncomingMessage, type Server } from "node:http";
import { gunzipSync, inflateSync } from "node:zlib";

/**
 * A stand-in for sentry.io: the DSN `http://public@127.0.0.1:<port>/1` makes the SDK POST
 * envelopes to /api/1/envelope/. Envelopes are newline-delimited: an envelope header line, then
 * pairs of item header line and payload; an item header may give the payload's `length` in
 * bytes (the payload may then contain newlines). The Node transport gzips large bodies.
 */

export interface EnvelopeItem {
  header: Record<string, unknown>;
  payload: Buffer;
}

export interface Envelope {
  header: Record<string, unknown>;
  items: EnvelopeItem[];
  /** The decompressed bytes as sent, for "contains no secret" checks. */
  raw: Buffer;
}

/** A Sentry error event as the SDK sends it (the fields the tests read). */
export interface SentryEvent {
  event_id?: string;
  release?: string;
  environment?: string;
  tags?: Record<string, string>;
  contexts?: { trace?: { trace_id?: string; span_id?: string } } & Record<string, unknown>;
  exception?: { values?: Array<{ type?: string; value?: string }> };
  [key: string]: unknown;
}

export interface ReceivedEvent {
  event: SentryEvent;
  /** The whole envelope that carried it, decompressed. */
  raw: Buffer;
}

export interface SentrySink {
  dsn: string;
  port: number;
  envelopes: Envelope[];
  /** Every item of type "event", parsed, with the raw envelope that carried it. */
  events: ReceivedEvent[];
  /** Requests that could not be parsed, with the reason. */
  errors: string[];
  close(): Promise<void>;
}

export async function startSentrySink(): Promise<SentrySink> {
  const envelopes: Envelope[] = [];
  const events: ReceivedEvent[] = [];
  const errors: string[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? "/").split("?")[0];
      if (req.method !== "POST" || path !== "/api/1/envelope/") {
        res.writeHead(404).end();
        return;
      }
      try {
        const body = await readBody(req);
        const encoding = (req.headers["content-encoding"] ?? "").toLowerCase();
        const raw =
          encoding === "gzip"
            ? gunzipSync(body)
            : encoding === "deflate"
              ? inflateSync(body)
              : body;
        const envelope = parseEnvelope(raw);
        envelopes.push(envelope);
        for (const item of envelope.items) {
          if (item.header.type === "event") {
            events.push({ event: JSON.parse(item.payload.toString("utf8")) as SentryEvent, raw });
          }
        }
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ id: envelope.header.event_id ?? null }));
      } catch (error) {
        errors.push((error as Error).message);
        res.writeHead(400).end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    dsn: `http://public@127.0.0.1:${port}/1`,
    port,
    envelopes,
    events,
    errors,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Splits an envelope into its header and items. Throws on a malformed envelope. */
export function parseEnvelope(raw: Buffer): Envelope {
  let pos = 0;
  const line = (): Buffer => {
    const end = raw.indexOf(0x0a, pos);
    const stop = end === -1 ? raw.length : end;
    const slice = raw.subarray(pos, stop);
    pos = end === -1 ? raw.length : end + 1;
    return slice;
  };
  const header = JSON.parse(line().toString("utf8")) as Record<string, unknown>;
  const items: EnvelopeItem[] = [];
  while (pos < raw.length) {
    const headerLine = line();
    if (headerLine.length === 0) continue; // a trailing newline
    const itemHeader = JSON.parse(headerLine.toString("utf8")) as Record<string, unknown>;
    let payload: Buffer;
    if (typeof itemHeader.length === "number") {
      const length = itemHeader.length;
      if (pos + length > raw.length) throw new Error("item payload shorter than its length");
      payload = raw.subarray(pos, pos + length);
      pos += length;
      if (raw[pos] === 0x0a) pos++;
    } else {
      payload = line();
    }
    items.push({ header: itemHeader, payload });
  }
  return { header, items, raw };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
