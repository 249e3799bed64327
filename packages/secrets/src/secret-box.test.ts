import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseKeyring, SecretBox, SecretOpenError } from "./index.js";

const key = (v: string) => ({ version: v, key: randomBytes(32) });

describe("SecretBox", () => {
  it("seals and opens, never storing the plain value", () => {
    const box = new SecretBox([key("v1")]);
    const sealed = box.seal("whsec_super-secret");
    expect(sealed).toMatch(/^enc:v1:/);
    expect(sealed).not.toContain("super-secret");
    expect(box.seal("whsec_super-secret")).not.toBe(sealed); // a fresh IV each time
    expect(box.open(sealed)).toBe("whsec_super-secret");
  });

  it("opens values sealed with an older key after a rotation, and seals with the newest", () => {
    const v1 = key("v1");
    const old = new SecretBox([v1]).seal("s1");
    const rotated = new SecretBox([key("v2"), v1]);
    expect(rotated.open(old)).toBe("s1");
    expect(rotated.seal("s2")).toMatch(/^enc:v2:/);
  });

  it("refuses a tampered value, a wrong key and an unknown version", () => {
    const box = new SecretBox([key("v1")]);
    const sealed = box.seal("secret");
    const parts = sealed.split(":");
    const bytes = Buffer.from(parts[3] ?? "", "base64url");
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    expect(() => box.open([...parts.slice(0, 3), bytes.toString("base64url")].join(":"))).toThrow(
      SecretOpenError,
    );
    expect(() => new SecretBox([key("v1")]).open(sealed)).toThrow(SecretOpenError);
    expect(() => new SecretBox([key("v9")]).open(sealed)).toThrow(/no key of version "v1"/);
    // the version is authenticated: relabelling a value to another key fails
    expect(() =>
      new SecretBox([key("v1"), { version: "v2", key: Buffer.alloc(32) }]).open(
        sealed.replace("enc:v1:", "enc:v2:"),
      ),
    ).toThrow(SecretOpenError);
  });

  it("passes values through without keys (development), and opens plain legacy values", () => {
    expect(new SecretBox([]).seal("plain")).toBe("plain");
    expect(new SecretBox([key("v1")]).open("legacy-plain")).toBe("legacy-plain");
  });
});

describe("parseKeyring", () => {
  it("reads versioned keys newest first and names what is wrong", () => {
    const a = randomBytes(32).toString("base64");
    const b = randomBytes(32).toString("base64");
    expect(parseKeyring(`v2:${a}, v1:${b}`).map((k) => k.version)).toEqual(["v2", "v1"]);
    expect(() => parseKeyring("nope")).toThrow(/entry 1 must look like/);
    expect(() => parseKeyring(`v1:${randomBytes(16).toString("base64")}`)).toThrow(
      /16 bytes; it must be 32/,
    );
    expect(() => parseKeyring(`v1:${a},v1:${b}`)).toThrow(/unique/);
  });
});
