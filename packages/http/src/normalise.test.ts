import { describe, expect, it } from "vitest";
import { DatabaseUnavailable, InvalidRequest, NotFound } from "./errors.js";
import { isDatabaseUnavailable, toDomainError } from "./normalise.js";
import { toProblem } from "./problem.js";

// The errors below are built the way their throwers build them (http-errors' createError sets
// status, statusCode and expose; Express's router sets status on the URIError of
// decodeURIComponent; node-postgres copies the server's SQLSTATE into `code`).

/** An error as http-errors makes it: `createError(status, message, props)`. */
function httpError(status: number, message: string, props: Record<string, unknown> = {}) {
  return Object.assign(
    new Error(message),
    { status, statusCode: status, expose: status < 500 },
    props,
  );
}

/** What the one mapping answers for `error`. */
function answer(error: unknown, retryAfterSeconds?: number) {
  return toProblem(toDomainError(error, { contentType: "application/json", retryAfterSeconds }), {
    instance: "/x",
  });
}

/** A Postgres error as node-postgres raises it. */
function pgError(code: string, message = "server said no") {
  return Object.assign(new Error(message), { code, severity: "FATAL" });
}

describe("toDomainError: refusals of the HTTP layer keep their 4xx, with a generic detail", () => {
  const cases: [string, unknown, number, string][] = [
    [
      "Express's URIError for a malformed %-escape (F-01)",
      Object.assign(new URIError("Failed to decode param '%E0%A4%A'"), {
        status: 400,
        statusCode: 400,
      }),
      400,
      "urn:hookrail:problem:invalid-request",
    ],
    [
      "a body that does not decode with its Content-Encoding (F-02): a zlib error wrapped as 400",
      Object.assign(httpError(400, "incorrect header check"), { code: "Z_DATA_ERROR", errno: -3 }),
      400,
      "urn:hookrail:problem:invalid-request",
    ],
    [
      "entity.parse.failed",
      httpError(400, "Unexpected token } in JSON at position 7", {
        type: "entity.parse.failed",
        body: "{secret",
      }),
      400,
      "urn:hookrail:problem:invalid-request",
    ],
    [
      "entity.too.large",
      httpError(413, "request entity too large", { type: "entity.too.large", limit: 65_536 }),
      413,
      "urn:hookrail:problem:body-too-large",
    ],
    [
      "encoding.unsupported",
      httpError(415, 'unsupported content encoding "compress"', { type: "encoding.unsupported" }),
      415,
      "urn:hookrail:problem:unsupported-content-encoding",
    ],
    [
      "charset.unsupported",
      httpError(415, 'unsupported charset "UTF-16"', { type: "charset.unsupported" }),
      415,
      "urn:hookrail:problem:unsupported-content-type",
    ],
    [
      "request.aborted",
      httpError(400, "request aborted", { type: "request.aborted" }),
      400,
      "urn:hookrail:problem:invalid-request",
    ],
    [
      "request.size.invalid",
      httpError(400, "request size did not match content length", {
        type: "request.size.invalid",
      }),
      400,
      "urn:hookrail:problem:invalid-request",
    ],
    [
      "entity.verify.failed (another exposed 4xx)",
      httpError(403, "verify said /srv/app/secret.ts", { type: "entity.verify.failed" }),
      403,
      "urn:hookrail:problem:refused-request",
    ],
  ];

  it.each(cases)("%s", (_what, error, status, type) => {
    const { problem, retryAfter } = answer(error);
    expect(problem).toMatchObject({ status, type });
    expect(retryAfter).toBeUndefined();
    // Never the thrower's message: it quotes the input or names internals.
    expect(problem.detail).not.toContain((error as Error).message);
    expect(JSON.stringify(problem)).not.toMatch(/%E0|Z_DATA|Unexpected token|secret|\/srv/);
  });

  it("leaves domain errors as they are", () => {
    const e = new NotFound("no source");
    expect(toDomainError(e)).toBe(e);
    const invalid = new InvalidRequest("bad", [{ path: "name", message: "too long" }]);
    expect(toDomainError(invalid)).toBe(invalid);
  });

  it("leaves a 5xx, or a 4xx nobody exposed, as an internal error (500, nothing leaked)", () => {
    for (const error of [
      httpError(500, "stream is not readable", { type: "stream.not.readable" }),
      Object.assign(new Error("a bug at /srv/x.ts"), { status: 404 }),
      new TypeError("Cannot read properties of undefined"),
      "a string",
      undefined,
    ]) {
      const { problem } = answer(error);
      expect(problem.status).toBe(500);
      expect(problem.detail).not.toMatch(/stream|srv|Cannot read/);
    }
  });
});

describe("toDomainError: a Postgres that is down, restarting or read-only is a 503 with Retry-After", () => {
  const unavailable: [string, unknown][] = [
    [
      "connection refused",
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
    ],
    [
      "connection refused on every address (AggregateError)",
      Object.assign(
        new AggregateError([Object.assign(new Error("x"), { code: "ECONNREFUSED" })], ""),
        {},
      ),
    ],
    [
      "57P01 admin_shutdown",
      pgError("57P01", "terminating connection due to administrator command"),
    ],
    ["57P02 crash_shutdown", pgError("57P02")],
    ["57P03 cannot_connect_now", pgError("57P03", "the database system is starting up")],
    [
      "25006 read_only_sql_transaction",
      pgError("25006", "cannot execute INSERT in a read-only transaction"),
    ],
    ["08006 connection_failure", pgError("08006")],
    ["08001 sqlclient_unable_to_establish_sqlconnection", pgError("08001")],
    ["the pool's connect timeout", new Error("timeout exceeded when trying to connect")],
    ["a connection lost mid-query", new Error("Connection terminated unexpectedly")],
    ["wrapped in a cause", new Error("query failed", { cause: pgError("57P01") })],
  ];

  it.each(unavailable)("%s", (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(toDomainError(error)).toBeInstanceOf(DatabaseUnavailable);
    const { problem, retryAfter } = answer(error, 7);
    expect(problem).toMatchObject({
      status: 503,
      type: "urn:hookrail:problem:database-unavailable",
      detail: "the event store is unavailable, retry later",
    });
    expect(retryAfter).toBe(7);
  });

  it("asks for 5 seconds when the caller names no Retry-After", () => {
    expect(answer(pgError("57P03")).retryAfter).toBe(5);
  });

  it("leaves query errors (the request's or the code's fault) alone", () => {
    for (const error of [
      pgError("23505", "duplicate key value violates unique constraint"),
      pgError("22P05", "unsupported Unicode escape sequence"),
      pgError("42P01", 'relation "x" does not exist'),
      new Error("timeout exceeded when trying to connect, says a log line quoting it"),
    ]) {
      expect(isDatabaseUnavailable(error)).toBe(false);
      expect(answer(error).problem.status).toBe(500);
    }
  });
});
