import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, commonEnv, duration, parseConfig, port } from "./index.js";

const schema = z.object({
  ...commonEnv,
  PORT: port().default(8080),
  RETRY: duration().prefault("5s"),
});

describe("parseConfig", () => {
  it("applies defaults", () => {
    const c = parseConfig(schema, {});
    expect(c.NATS_URL).toEqual(["nats://127.0.0.1:4222"]);
    expect(c.DATABASE_URL).toBe("postgres://postgres@127.0.0.1:5432/hookrail");
    expect(c.PORT).toBe(8080);
    expect(c.RETRY).toBe(5000);
  });

  it("splits a NATS cluster list and coerces numbers", () => {
    const c = parseConfig(schema, { NATS_URL: "nats://a:4222, nats://b:4222", PORT: "9000" });
    expect(c.NATS_URL).toEqual(["nats://a:4222", "nats://b:4222"]);
    expect(c.PORT).toBe(9000);
  });

  it("treats empty strings as unset", () => {
    expect(parseConfig(schema, { PORT: "" }).PORT).toBe(8080);
  });

  it("names every bad variable and the value it got", () => {
    let error: unknown;
    try {
      parseConfig(schema, { PORT: "eighty", DATABASE_URL: "mysql://x", RETRY: "soon" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/PORT: .*\(got "eighty"\)/);
    expect(message).toMatch(/DATABASE_URL: must be a postgres/);
    expect(message).toMatch(/RETRY: must be a duration/);
    expect((error as ConfigError).problems).toHaveLength(3);
  });
});
