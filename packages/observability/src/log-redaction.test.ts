import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { compileRedaction } from "./log-redaction.js";
import { createLogger, REDACTED_PATHS } from "./logger.js";

// The reference is pino's own `redact` option with the same paths: for any object, a line must
// read the same through it and through compileRedaction (as the logger uses it), and the object
// logged must come out unchanged.

const CENSOR = "[redacted]";
const KEYS = [
  "secret",
  "key",
  "apiKey",
  "password",
  "authorization",
  "body",
  "headers",
  "x-hub-signature-256",
  "stripe-signature",
  "webhook-signature",
  "source",
  "webhookId",
  "options",
  "items",
];

function randomValue(rand: () => number, depth: number): unknown {
  const r = rand();
  if (depth > 3 || r < 0.35) return r < 0.15 ? Math.floor(r * 1000) : `v${Math.floor(r * 1e6)}`;
  if (r < 0.45)
    return Array.from({ length: 1 + Math.floor(rand() * 3) }, () => randomValue(rand, depth + 1));
  if (r < 0.5) return null;
  return randomObject(rand, depth + 1);
}

function randomObject(rand: () => number, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const n = 1 + Math.floor(rand() * 5);
  for (let i = 0; i < n; i++)
    out[KEYS[Math.floor(rand() * KEYS.length)] as string] = randomValue(rand, depth);
  return out;
}

/** A small seeded generator, so a failure can be replayed. */
function seeded(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

// One logger per set of options, reused: making a pino logger per line was most of the time.
const loggers = new Map<pino.LoggerOptions, { logger: pino.Logger; lines: string[] }>();

function lineOf(options: pino.LoggerOptions, fields: object): unknown {
  let made = loggers.get(options);
  if (!made) {
    const lines: string[] = [];
    const destination = { write: (l: string) => lines.push(l) };
    made = { logger: pino({ base: undefined, timestamp: false, ...options }, destination), lines };
    loggers.set(options, made);
  }
  made.logger.info(fields, "m");
  return JSON.parse(made.lines.pop() ?? "null");
}

/** The logger every service uses, writing into an array. */
function serviceLogger() {
  const lines: string[] = [];
  const destination = { write: (l: string) => lines.push(l) } as never;
  return { logger: createLogger({ service: "t", level: "info", destination }), lines };
}

const ours = compileRedaction(REDACTED_PATHS, CENSOR);
const reference: pino.LoggerOptions = { redact: { paths: REDACTED_PATHS, censor: CENSOR } };
const compiled: pino.LoggerOptions = { formatters: { log: ours, bindings: ours } };

describe("compileRedaction", () => {
  it("redacts what pino's redact option redacts, for 3,000 random objects, and changes none", () => {
    const rand = seeded(20261207);
    for (let i = 0; i < 3000; i++) {
      const fields = randomObject(rand, 0);
      const before = structuredClone(fields);
      expect(lineOf(compiled, fields), JSON.stringify(before)).toEqual(lineOf(reference, fields));
      expect(fields).toEqual(before);
    }
  }, 30_000);

  it("redacts a child logger's bindings, and its children's, as pino does", () => {
    const { logger, lines } = serviceLogger();
    const bindings = { secret: "s", source: { apiKey: "k", name: "n" } };
    logger.child(bindings).child({ password: "p", stream: "x" }).info({ body: "b" }, "m");
    const line = JSON.parse(lines[0] ?? "{}");
    expect(line).toMatchObject({
      secret: CENSOR,
      source: { apiKey: CENSOR, name: "n" },
      password: CENSOR,
      stream: "x",
      body: CENSOR,
    });
    expect(bindings.source.apiKey).toBe("k");
  });

  it("redacts under an own __proto__ key without touching any prototype", () => {
    const fields = JSON.parse('{"__proto__": {"secret": "s", "name": "n"}, "key": "k"}');
    const line = lineOf(compiled, fields) as Record<string, unknown>;
    expect(line).toEqual(lineOf(reference, fields));
    expect(line.key).toBe(CENSOR);
    expect(({} as Record<string, unknown>).secret).toBeUndefined();
  });

  it("keeps an error an error: its message, stack and type reach the line, its secrets do not", () => {
    const error = Object.assign(new TypeError("bad signature"), { body: "{...}", secret: "whsec" });
    const line = lineOf(compiled, { err: error, source: { key: "k" } }) as Record<string, never>;
    expect(line).toEqual(lineOf(reference, { err: error, source: { key: "k" } }));
    expect(line.err).toMatchObject({ type: "TypeError", message: "bad signature", body: CENSOR });
    expect(error.body).toBe("{...}");
  });

  it("is what the service logger uses: signatures and secrets in headers never reach a line", () => {
    const { logger, lines } = serviceLogger();
    logger.info(
      {
        headers: { authorization: "Bearer x", "x-hub-signature-256": "sha256=1", accept: "*/*" },
        req: { headers: { authorization: "Basic y" } },
        source: { secret: "whsec_1" },
      },
      "m",
    );
    const line = JSON.parse(lines[0] ?? "{}");
    expect(line.headers).toEqual({
      authorization: CENSOR,
      "x-hub-signature-256": CENSOR,
      accept: "*/*",
    });
    expect(line.req.headers.authorization).toBe(CENSOR);
    expect(line.source.secret).toBe(CENSOR);
    expect(lines[0]).not.toMatch(/Bearer|Basic|sha256=1|whsec_1/);
  });
});
