import { createServer, type IncomingMessage, type Server } from "node:http";
import { gunzipSync, inflateSync } from "node:zlib";

/**
 * A stand-in for an OpenTelemetry collector: POST /v1/traces over OTLP/HTTP, in JSON
 * (`application/json`) or protobuf (`application/x-protobuf`), optionally gzip-compressed. Every
 * span is kept, normalised, for assertions on traces across processes.
 */

export type SpanKindName =
  | "unspecified"
  | "internal"
  | "server"
  | "client"
  | "producer"
  | "consumer";
export type AttributeValue = string | number | boolean;

export interface CollectedSpan {
  traceId: string;
  spanId: string;
  /** Absent for a root span. */
  parentSpanId?: string;
  name: string;
  kind: SpanKindName;
  /** The resource's `service.name`. */
  service: string;
  attributes: Record<string, AttributeValue>;
  startNs: bigint;
  endNs: bigint;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  scope: string;
}

export interface OtlpReceiver {
  /** The base endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT takes it (the exporter appends /v1/traces). */
  url: string;
  port: number;
  spans: CollectedSpan[];
  /** The content type of every accepted export request, in order. */
  contentTypes: string[];
  /** The content encoding of every accepted export request ("identity" when none). */
  contentEncodings: string[];
  /** Requests that could not be decoded, with the reason (they were answered 400). */
  errors: string[];
  /** The spans of one trace. */
  trace(traceId: string): CollectedSpan[];
  close(): Promise<void>;
}

// OTLP Span.SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer.
const KINDS: SpanKindName[] = [
  "unspecified",
  "internal",
  "server",
  "client",
  "producer",
  "consumer",
];
const kindName = (k: number): SpanKindName => KINDS[k] ?? "unspecified";

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: CollectedSpan[] = [];
  const contentTypes: string[] = [];
  const contentEncodings: string[] = [];
  const errors: string[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? "/").split("?")[0];
      if (req.method !== "POST" || path !== "/v1/traces") {
        res.writeHead(404, { "content-type": "application/json" }).end("{}");
        return;
      }
      const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
      const encoding = (req.headers["content-encoding"] ?? "identity").toLowerCase();
      try {
        const body = decompress(await readBody(req), encoding);
        let decoded: CollectedSpan[];
        if (type === "application/json")
          decoded = decodeTraceRequestJson(JSON.parse(body.toString("utf8")));
        else if (type === "application/x-protobuf") decoded = decodeTraceRequestProtobuf(body);
        else throw new Error(`unsupported content type ${JSON.stringify(type)}`);
        spans.push(...decoded);
        contentTypes.push(type);
        contentEncodings.push(encoding);
      } catch (error) {
        errors.push((error as Error).message);
        res.writeHead(400, { "content-type": "application/json" }).end("{}");
        return;
      }
      // An empty ExportTraceServiceResponse: `{}` in JSON, zero bytes in protobuf (the protobuf
      // exporter would try to parse `{}` as protobuf).
      if (type === "application/x-protobuf") {
        res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
      } else {
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    spans,
    contentTypes,
    contentEncodings,
    errors,
    trace: (traceId) => spans.filter((s) => s.traceId === traceId),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function decompress(body: Buffer, encoding: string): Buffer {
  if (encoding === "gzip" || encoding === "x-gzip") return gunzipSync(body);
  if (encoding === "deflate") return inflateSync(body);
  if (encoding === "identity" || encoding === "") return body;
  throw new Error(`unsupported content encoding ${JSON.stringify(encoding)}`);
}

// ---------------------------------------------------------------------------------------------
// OTLP/JSON (opentelemetry-proto's JSON mapping: ids as hex, enums as ints, 64-bit ints as strings)

type JsonObject = Record<string, unknown>;
const asArray = (v: unknown): JsonObject[] => (Array.isArray(v) ? (v as JsonObject[]) : []);

export function decodeTraceRequestJson(request: unknown): CollectedSpan[] {
  const out: CollectedSpan[] = [];
  for (const rs of asArray((request as JsonObject)?.resourceSpans)) {
    const resource = jsonAttributes((rs.resource as JsonObject | undefined)?.attributes);
    const service = String(resource["service.name"] ?? "");
    for (const ss of asArray(rs.scopeSpans)) {
      const scope = String((ss.scope as JsonObject | undefined)?.name ?? "");
      for (const s of asArray(ss.spans)) {
        const parent = typeof s.parentSpanId === "string" ? s.parentSpanId.toLowerCase() : "";
        out.push({
          traceId: String(s.traceId ?? "").toLowerCase(),
          spanId: String(s.spanId ?? "").toLowerCase(),
          ...(parent ? { parentSpanId: parent } : {}),
          name: String(s.name ?? ""),
          kind: kindName(Number(s.kind ?? 0)),
          service,
          attributes: jsonAttributes(s.attributes),
          startNs: BigInt(String(s.startTimeUnixNano ?? 0)),
          endNs: BigInt(String(s.endTimeUnixNano ?? 0)),
          statusCode: Number((s.status as JsonObject | undefined)?.code ?? 0),
          scope,
        });
      }
    }
  }
  return out;
}

function jsonAttributes(list: unknown): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of asArray(list)) out[String(kv.key)] = jsonAnyValue(kv.value as JsonObject);
  return out;
}

function jsonAnyValue(v: JsonObject | undefined): AttributeValue {
  if (!v) return "";
  if ("stringValue" in v) return String(v.stringValue);
  if ("boolValue" in v) return Boolean(v.boolValue);
  if ("intValue" in v) return Number(v.intValue);
  if ("doubleValue" in v) return Number(v.doubleValue);
  if ("arrayValue" in v) {
    const values = asArray((v.arrayValue as JsonObject | undefined)?.values).map(jsonAnyValue);
    return JSON.stringify(values);
  }
  if ("bytesValue" in v) return String(v.bytesValue);
  return JSON.stringify(v);
}

// ---------------------------------------------------------------------------------------------
// OTLP/protobuf: a minimal wire-format reader for the few messages a trace export holds.

/** One field of a protobuf message: varints and fixed64 as bigint, length-delimited as bytes. */
type Field =
  | { no: number; wire: 0; value: bigint }
  | { no: number; wire: 1; value: bigint; bytes: Buffer }
  | { no: number; wire: 2; value: Buffer }
  | { no: number; wire: 5; value: number };

/** Splits a message into its fields, in order. Throws on a malformed or truncated message. */
export function readFields(buf: Buffer): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new Error("truncated varint");
      const byte = buf[pos++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new Error("varint too long");
    }
  };
  const take = (n: number): Buffer => {
    if (n < 0 || pos + n > buf.length) throw new Error("truncated field");
    const slice = buf.subarray(pos, pos + n);
    pos += n;
    return slice;
  };
  while (pos < buf.length) {
    const tag = varint();
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (no === 0) throw new Error("field number 0");
    switch (wire) {
      case 0:
        fields.push({ no, wire, value: varint() });
        break;
      case 1: {
        const bytes = take(8);
        fields.push({ no, wire, value: bytes.readBigUInt64LE(0), bytes });
        break;
      }
      case 2:
        fields.push({ no, wire, value: take(Number(varint())) });
        break;
      case 5:
        fields.push({ no, wire, value: take(4).readUInt32LE(0) });
        break;
      default:
        throw new Error(`unsupported wire type ${wire} (field ${no})`);
    }
  }
  return fields;
}

const bytesOf = (fields: Field[], no: number): Buffer[] =>
  fields.flatMap((f) => (f.no === no && f.wire === 2 ? [f.value] : []));
const firstBytes = (fields: Field[], no: number): Buffer | undefined => bytesOf(fields, no)[0];
const firstVarint = (fields: Field[], no: number): bigint | undefined => {
  const f = fields.find((x) => x.no === no && x.wire === 0);
  return f?.wire === 0 ? f.value : undefined;
};
const firstFixed64 = (fields: Field[], no: number): bigint | undefined => {
  const f = fields.find((x) => x.no === no && x.wire === 1);
  return f?.wire === 1 ? f.value : undefined;
};

/**
 * ExportTraceServiceRequest(resource_spans=1) → ResourceSpans(resource=1, scope_spans=2) →
 * ScopeSpans(scope=1, spans=2) → Span(trace_id=1, span_id=2, parent_span_id=4, name=5, kind=6,
 * start=7, end=8, attributes=9, status=15); Resource(attributes=1); KeyValue(key=1, value=2).
 */
export function decodeTraceRequestProtobuf(body: Uint8Array): CollectedSpan[] {
  const out: CollectedSpan[] = [];
  const request = readFields(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  for (const rsBytes of bytesOf(request, 1)) {
    const rs = readFields(rsBytes);
    const resourceBytes = firstBytes(rs, 1);
    const resource = resourceBytes ? pbAttributes(readFields(resourceBytes), 1) : {};
    const service = String(resource["service.name"] ?? "");
    for (const ssBytes of bytesOf(rs, 2)) {
      const ss = readFields(ssBytes);
      const scopeBytes = firstBytes(ss, 1);
      const scope = scopeBytes
        ? (firstBytes(readFields(scopeBytes), 1)?.toString("utf8") ?? "")
        : "";
      for (const spanBytes of bytesOf(ss, 2)) {
        const s = readFields(spanBytes);
        const parent = firstBytes(s, 4);
        const statusBytes = firstBytes(s, 15);
        out.push({
          traceId: firstBytes(s, 1)?.toString("hex") ?? "",
          spanId: firstBytes(s, 2)?.toString("hex") ?? "",
          ...(parent && parent.length > 0 ? { parentSpanId: parent.toString("hex") } : {}),
          name: firstBytes(s, 5)?.toString("utf8") ?? "",
          kind: kindName(Number(firstVarint(s, 6) ?? 0n)),
          service,
          attributes: pbAttributes(s, 9),
          startNs: firstFixed64(s, 7) ?? 0n,
          endNs: firstFixed64(s, 8) ?? 0n,
          statusCode: statusBytes ? Number(firstVarint(readFields(statusBytes), 3) ?? 0n) : 0,
          scope,
        });
      }
    }
  }
  return out;
}

function pbAttributes(fields: Field[], no: number): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kvBytes of bytesOf(fields, no)) {
    const kv = readFields(kvBytes);
    const key = firstBytes(kv, 1)?.toString("utf8") ?? "";
    const value = firstBytes(kv, 2);
    out[key] = value ? pbAnyValue(readFields(value)) : "";
  }
  return out;
}

// AnyValue: string=1, bool=2, int=3 (varint, int64), double=4 (fixed64), array=5, kvlist=6, bytes=7.
function pbAnyValue(fields: Field[]): AttributeValue {
  const f = fields[0];
  if (!f) return "";
  if (f.no === 1 && f.wire === 2) return f.value.toString("utf8");
  if (f.no === 2 && f.wire === 0) return f.value !== 0n;
  if (f.no === 3 && f.wire === 0) return Number(BigInt.asIntN(64, f.value));
  if (f.no === 4 && f.wire === 1) return f.bytes.readDoubleLE(0);
  if (f.no === 5 && f.wire === 2) {
    const values = bytesOf(readFields(f.value), 1).map((v) => pbAnyValue(readFields(v)));
    return JSON.stringify(values);
  }
  if (f.no === 7 && f.wire === 2) return f.value.toString("base64");
  return "";
}
