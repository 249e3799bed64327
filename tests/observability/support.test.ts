import { request } from "node:http";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  decodeTraceRequestJson,
  decodeTraceRequestProtobuf,
  startOtlpReceiver,
} from "../support/otlp-receiver.js";
import { parsePrometheusText, select, sumMetric } from "../support/prometheus-text.js";
import { parseEnvelope, startSentrySink } from "../support/sentry-sink.js";

// The test doubles themselves, on hand-made input: the protobuf reader, the envelope parser and
// the Prometheus text parser must be right for the end-to-end assertions to mean anything.

// --- a minimal protobuf writer, for the fixtures only ---
const varint = (n: bigint): Buffer => {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
};
const tag = (no: number, wire: number) => varint(BigInt((no << 3) | wire));
const bytesField = (no: number, value: Buffer | string) => {
  const b = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  return Buffer.concat([tag(no, 2), varint(BigInt(b.length)), b]);
};
const varintField = (no: number, n: bigint) => Buffer.concat([tag(no, 0), varint(n)]);
const fixed64Field = (no: number, n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return Buffer.concat([tag(no, 1), b]);
};
const doubleField = (no: number, d: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(d);
  return Buffer.concat([tag(no, 1), b]);
};
const fixed32Field = (no: number, n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return Buffer.concat([tag(no, 5), b]);
};
const keyValue = (key: string, anyValue: Buffer) =>
  bytesField(9, Buffer.concat([bytesField(1, key), bytesField(2, anyValue)]));

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const SPAN = "b7ad6b7169203331";
const PARENT = "00f067aa0ba902b7";

function protobufRequest(): Buffer {
  const span = Buffer.concat([
    bytesField(1, Buffer.from(TRACE, "hex")),
    bytesField(2, Buffer.from(SPAN, "hex")),
    bytesField(3, "vendor=x"),
    bytesField(4, Buffer.from(PARENT, "hex")),
    bytesField(5, "process webhook.received"),
    varintField(6, 5n), // CONSUMER
    fixed64Field(7, 1_700_000_000_123_456_789n),
    fixed64Field(8, 1_700_000_000_223_456_789n),
    keyValue("s", bytesField(1, "text")),
    keyValue("b", varintField(2, 1n)),
    keyValue("i", varintField(3, 7n)),
    keyValue("neg", varintField(3, -3n)),
    keyValue("d", doubleField(4, 0.25)),
    varintField(10, 0n), // dropped attributes count
    bytesField(15, Buffer.concat([bytesField(2, "boom"), varintField(3, 2n)])),
    fixed32Field(16, 0x301), // flags
  ]);
  const resource = bytesField(
    1,
    Buffer.concat([bytesField(1, "service.name"), bytesField(2, bytesField(1, "processor"))]),
  );
  const scopeSpans = Buffer.concat([
    bytesField(1, bytesField(1, "hookrail-messaging")),
    bytesField(2, span),
  ]);
  const resourceSpans = Buffer.concat([bytesField(1, resource), bytesField(2, scopeSpans)]);
  return bytesField(1, resourceSpans);
}

describe("otlp-receiver", () => {
  it("decodes an OTLP/protobuf export: ids, kind, times, attributes, status", () => {
    const [span, ...rest] = decodeTraceRequestProtobuf(protobufRequest());
    expect(rest).toEqual([]);
    expect(span).toEqual({
      traceId: TRACE,
      spanId: SPAN,
      parentSpanId: PARENT,
      name: "process webhook.received",
      kind: "consumer",
      service: "processor",
      attributes: { s: "text", b: true, i: 7, neg: -3, d: 0.25 },
      startNs: 1_700_000_000_123_456_789n,
      endNs: 1_700_000_000_223_456_789n,
      statusCode: 2,
      scope: "hookrail-messaging",
    });
  });

  it("refuses a truncated protobuf message", () => {
    expect(() => decodeTraceRequestProtobuf(protobufRequest().subarray(0, 40))).toThrow(
      /truncated/,
    );
  });

  it("decodes an OTLP/JSON export; a root span has no parentSpanId", () => {
    const [span] = decodeTraceRequestJson({
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "gateway" } }] },
          scopeSpans: [
            {
              scope: { name: "@opentelemetry/instrumentation-http" },
              spans: [
                {
                  traceId: TRACE,
                  spanId: SPAN,
                  parentSpanId: "",
                  name: "POST /api/v1/webhooks/:sourceId",
                  kind: 2,
                  startTimeUnixNano: "1700000000123456789",
                  endTimeUnixNano: "1700000000223456789",
                  attributes: [
                    { key: "http.route", value: { stringValue: "/api/v1/webhooks/:sourceId" } },
                    { key: "http.response.status_code", value: { intValue: 202 } },
                    { key: "big", value: { intValue: "9007199254740991" } },
                    { key: "ok", value: { boolValue: false } },
                    { key: "ratio", value: { doubleValue: 0.5 } },
                  ],
                  status: { code: 0 },
                },
              ],
            },
          ],
        },
      ],
    });
    expect(span).toMatchObject({
      traceId: TRACE,
      name: "POST /api/v1/webhooks/:sourceId",
      kind: "server",
      service: "gateway",
      attributes: {
        "http.route": "/api/v1/webhooks/:sourceId",
        "http.response.status_code": 202,
        big: 9007199254740991,
        ok: false,
        ratio: 0.5,
      },
      startNs: 1_700_000_000_123_456_789n,
    });
    expect(span && "parentSpanId" in span).toBe(false);
  });

  it("takes gzip-compressed protobuf over HTTP and answers 200; other paths 404", async () => {
    const receiver = await startOtlpReceiver();
    try {
      const post = (path: string, body: Buffer, headers: Record<string, string>) =>
        new Promise<number>((resolve, reject) => {
          const req = request(`${receiver.url}${path}`, { method: "POST", headers }, (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          });
          req.on("error", reject);
          req.end(body);
        });
      const gz = gzipSync(protobufRequest());
      expect(
        await post("/v1/traces", gz, {
          "content-type": "application/x-protobuf",
          "content-encoding": "gzip",
        }),
      ).toBe(200);
      expect(await post("/v1/logs", gz, { "content-type": "application/x-protobuf" })).toBe(404);
      expect(await post("/v1/traces", Buffer.from("x"), { "content-type": "text/plain" })).toBe(
        400,
      );
      expect(receiver.spans.map((s) => s.spanId)).toEqual([SPAN]);
      expect(receiver.contentTypes).toEqual(["application/x-protobuf"]);
      expect(receiver.contentEncodings).toEqual(["gzip"]);
      expect(receiver.errors).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });
});

describe("sentry-sink", () => {
  const event = { event_id: "e1", release: "r", tags: { requestId: "x" } };

  it("parses items with and without a length, payloads with newlines inside", () => {
    const attachment = "line one\nline two";
    const raw = Buffer.from(
      [
        JSON.stringify({ event_id: "e1", sent_at: "now" }),
        JSON.stringify({ type: "attachment", length: Buffer.byteLength(attachment) }),
        attachment,
        JSON.stringify({ type: "event" }),
        JSON.stringify(event),
        "",
      ].join("\n"),
    );
    const envelope = parseEnvelope(raw);
    expect(envelope.header).toEqual({ event_id: "e1", sent_at: "now" });
    expect(envelope.items.map((i) => i.header.type)).toEqual(["attachment", "event"]);
    expect(envelope.items[0]?.payload.toString()).toBe(attachment);
    expect(JSON.parse(envelope.items[1]?.payload.toString() ?? "")).toEqual(event);
  });

  it("gunzips a gzip envelope at /api/1/envelope/ and keeps its events", async () => {
    const sink = await startSentrySink();
    try {
      const body = gzipSync(
        [
          JSON.stringify({ event_id: "e1" }),
          JSON.stringify({ type: "event" }),
          JSON.stringify(event),
        ].join("\n"),
      );
      const res = await fetch(`http://127.0.0.1:${sink.port}/api/1/envelope/?sentry_key=public`, {
        method: "POST",
        headers: { "content-encoding": "gzip", "content-type": "application/x-sentry-envelope" },
        body,
      });
      expect(res.status).toBe(200);
      expect(sink.dsn).toBe(`http://public@127.0.0.1:${sink.port}/1`);
      expect(sink.events.map((e) => e.event)).toEqual([event]);
      expect(sink.events[0]?.raw.toString()).toContain('"requestId":"x"');
    } finally {
      await sink.close();
    }
  });
});

describe("prometheus-text", () => {
  const text = [
    "# HELP hookrail_webhooks_received_total Webhooks",
    "# TYPE hookrail_webhooks_received_total counter",
    'hookrail_webhooks_received_total{source="src_a",outcome="accepted"} 5',
    'hookrail_webhooks_received_total{source="src_b",outcome="accepted"} 2 1700000000000',
    'hookrail_webhooks_received_total{source="src_a",outcome="bad_signature"} 1',
    "# TYPE http_server_request_duration histogram",
    'http_server_request_duration_bucket{http_route="/a",le="+Inf"} 3',
    'http_server_request_duration_count{http_route="/a",weird="q\\"uote\\\\back\\nline, comma"} 3',
    "hookrail_event_loop_delay_p99 NaN",
    "hookrail_nats_connected 1",
    "x_limit +Inf",
    "",
  ].join("\n");

  it("parses samples, labels with escapes, special values and types", () => {
    const e = parsePrometheusText(text);
    expect(e.samples).toHaveLength(8);
    expect(e.types.get("http_server_request_duration")).toBe("histogram");
    expect(select(e, "http_server_request_duration_bucket", { le: "+Inf" })[0]?.value).toBe(3);
    expect(sumMetric(e, "x_limit")).toBe(Number.POSITIVE_INFINITY);
    expect(select(e, "http_server_request_duration_count")[0]?.labels).toEqual({
      http_route: "/a",
      weird: 'q"uote\\back\nline, comma',
    });
    expect(Number.isNaN(select(e, "hookrail_event_loop_delay_p99")[0]?.value)).toBe(true);
    expect(sumMetric(e, "hookrail_nats_connected")).toBe(1);
  });

  it("sums a metric by label filter", () => {
    const e = parsePrometheusText(text);
    expect(sumMetric(e, "hookrail_webhooks_received_total", { outcome: "accepted" })).toBe(7);
    expect(sumMetric(e, "hookrail_webhooks_received_total", { source: "src_a" })).toBe(6);
    expect(
      sumMetric(e, "hookrail_webhooks_received_total", { outcome: (v) => v !== "accepted" }),
    ).toBe(1);
    expect(sumMetric(e, "hookrail_webhooks_received_total", { outcome: "nope" })).toBe(0);
  });
});
