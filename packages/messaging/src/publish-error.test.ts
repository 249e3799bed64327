import { JetStreamApiError } from "@nats-io/jetstream";
import {
  ClosedConnectionError,
  NoRespondersError,
  RequestError,
  TimeoutError,
} from "@nats-io/nats-core";
import { describe, expect, it } from "vitest";
import { classifyPublishError } from "./index.js";

const apiError = (code: number, err_code: number, description: string) =>
  new JetStreamApiError({ code, err_code, description });

describe("classifyPublishError", () => {
  it.each([
    [
      "10077 maximum messages/bytes exceeded",
      apiError(503, 10077, "maximum bytes exceeded"),
      "stream_full",
    ],
    ["10023 insufficient resources", apiError(503, 10023, "insufficient resources"), "stream_full"],
    ["10039 JetStream not enabled for account", apiError(503, 10039, "not enabled"), "unavailable"],
    ["10060 expected stream does not match", apiError(400, 10060, "expected stream"), "rejected"],
    [
      "no responders wrapped by nats.js",
      new Error("jetstream is not enabled", {
        cause: new RequestError("no responders", { cause: new NoRespondersError("s") }),
      }),
      "unavailable",
    ],
    ["closed connection", new ClosedConnectionError(), "unavailable"],
    ["timeout", new TimeoutError(), "timeout"],
    ["anything else", new Error("boom"), "rejected"],
    ["a non-error", "boom", "rejected"],
  ])("%s → %s", (_name, err, reason) => {
    expect(classifyPublishError(err)).toBe(reason);
  });
});
