import { describe, expect, it } from "vitest";
import { type AttemptOutcome, classifyResponse } from "./index.js";

describe("classifyResponse", () => {
  it.each<[number | null, string | null, AttemptOutcome]>([
    [200, null, "succeeded"],
    [201, null, "succeeded"],
    [204, null, "succeeded"],
    [299, null, "succeeded"],
    [200, "timeout after 15000 ms", "succeeded"],
    [410, null, "disable"],
    [429, null, "throttle"],
    [502, null, "throttle"],
    [503, null, "throttle"],
    [504, null, "throttle"],
    [301, null, "retry"],
    [302, null, "retry"],
    [304, null, "retry"],
    [100, null, "retry"],
    [400, null, "retry"],
    [401, null, "retry"],
    [404, null, "retry"],
    [500, null, "retry"],
    [501, null, "retry"],
    [null, "connect ECONNREFUSED 127.0.0.1:1", "retry"],
    [null, "timeout after 15000 ms", "retry"],
    [null, "address blocked: 127.0.0.1 is in 127.0.0.0/8 (loopback)", "retry"],
    [null, null, "retry"],
  ])("status %s, error %j → %s", (status, error, outcome) => {
    expect(classifyResponse(status, error).outcome).toBe(outcome);
  });

  it("gives a reason fit for an attempt record", () => {
    expect(classifyResponse(null, "connect ECONNREFUSED 127.0.0.1:1").reason).toBe(
      "no response: connect ECONNREFUSED 127.0.0.1:1",
    );
    expect(classifyResponse(302, null).reason).toMatch(/redirects are not followed/);
  });
});
