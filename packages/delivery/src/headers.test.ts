import { describe, expect, it } from "vitest";
import { checkExtraHeaders, deliverWebhook } from "./index.js";
import { request } from "./test-support/requests.js";

describe("checkExtraHeaders", () => {
  it("returns the headers with lowercase names", () => {
    expect(checkExtraHeaders({ "X-Request-Id": "req-1", traceparent: "00-ab-cd-01" })).toEqual({
      "x-request-id": "req-1",
      traceparent: "00-ab-cd-01",
    });
    expect(checkExtraHeaders(undefined)).toEqual({});
  });

  it("throws on the same name twice", () => {
    expect(() => checkExtraHeaders({ "X-A": "1", "x-a": "2" })).toThrow(/given twice/);
  });
});

describe("deliverWebhook with caller bugs", () => {
  it("rejects caller bugs: CR/LF or forbidden extra headers, bad limits", async () => {
    const url = "http://127.0.0.1:1/hook";
    await expect(
      deliverWebhook(request(url, { headers: { "X-Note": "a\r\nX-Evil: 1" } })),
    ).rejects.toThrow(/X-Note has a value with CR, LF/);
    await expect(deliverWebhook(request(url, { headers: { "X-Note": "a\nb" } }))).rejects.toThrow(
      TypeError,
    );
    for (const name of [
      "Host",
      "content-length",
      "Transfer-Encoding",
      "webhook-signature",
      "Proxy-Authorization",
    ]) {
      await expect(deliverWebhook(request(url, { headers: { [name]: "x" } }))).rejects.toThrow(
        /not by callers/,
      );
    }
    await expect(deliverWebhook(request(url, { headers: { "bad name": "x" } }))).rejects.toThrow(
      /not a token/,
    );
    await expect(
      deliverWebhook(request(url, { contentType: "text/plain\r\nX: y" })),
    ).rejects.toThrow(TypeError);
    await expect(deliverWebhook(request(url, { timeoutMs: 0 }))).rejects.toThrow(RangeError);
  });
});
