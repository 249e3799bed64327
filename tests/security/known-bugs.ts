import { brotliDecompressSync, gunzipSync, inflateSync, zstdDecompressSync } from "node:zlib";
import { decodedPath } from "./arbitraries.js";
import type { RawRequest, RawResponse } from "./support.js";

/**
 * Defects the fuzzers found that are recorded in docs/security.md ("Findings") and not fixed yet.
 * A fuzz run tolerates a failure only when it is exactly one of these (the symptom on a request of
 * the class), counts it, and prints the count; anything else fails the run. Each has a pinned
 * reproduction in known-bugs.test.ts, written as the correct behaviour and marked `it.fails`:
 * when a fix lands, that test turns red, and its entry here (and the `.fails`) must go.
 */
export interface KnownBug {
  id: string;
  title: string;
  matches(request: RawRequest, response: RawResponse): boolean;
}

const header = (r: RawRequest, name: string) =>
  Object.entries(r.headers).find(([k]) => k.toLowerCase() === name)?.[1];

/** True when `body` does not decode with the encoding named (so the body parser fails on it). */
function undecodable(encoding: string | undefined, body: Buffer | undefined): boolean {
  const decode: Record<string, (b: Buffer) => Buffer> = {
    gzip: gunzipSync,
    "x-gzip": gunzipSync,
    deflate: inflateSync,
    br: brotliDecompressSync,
    zstd: zstdDecompressSync,
  };
  const fn = decode[(encoding ?? "").trim().toLowerCase()];
  if (!fn) return false;
  try {
    fn(body ?? Buffer.alloc(0));
    return false;
  } catch {
    return true;
  }
}

/** Text that Postgres cannot store: NUL anywhere, and (in jsonb) unpaired UTF-16 surrogates. */
export function unstorable(text: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is the point
  return /\u0000|\\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}/i.test(
    text,
  );
}

function requestText(r: RawRequest): string {
  let decoded = decodedPath(r.path) ?? r.path;
  try {
    decoded += decodeURIComponent((r.path.split("?")[1] ?? "").replaceAll("+", " "));
  } catch {
    decoded += r.path;
  }
  return `${decoded}\n${r.body?.toString("utf8") ?? ""}`;
}

export const KNOWN_BUGS: readonly KnownBug[] = [
  {
    id: "F-01",
    title: "a malformed %-escape in a path parameter answers 500 instead of 400",
    matches: (req, res) => res.status === 500 && decodedPath(req.path) === undefined,
  },
  {
    id: "F-02",
    title: "a body that does not decode with its Content-Encoding answers 500 instead of 400",
    matches: (req, res) =>
      res.status === 500 && undecodable(header(req, "content-encoding"), req.body),
  },
  {
    id: "F-03",
    title: "admin input with NUL or an unpaired surrogate reaches Postgres and answers 500",
    matches: (req, res) =>
      res.status === 500 && req.path.startsWith("/api/v1/") && unstorable(requestText(req)),
  },
  {
    id: "F-05",
    title:
      "POST /api/v1/subscriptions with a `url` that is not a URL answers 500 (the refine throws)",
    matches: (req, res) =>
      res.status === 500 &&
      req.method === "POST" &&
      /^\/api\/v1\/subscriptions\/?(\?|$)/i.test(req.path) &&
      !parsesAsUrl(bodyField(req, "url")),
  },
  {
    id: "F-08",
    title: "the deprecated alias echoes the source id, unbounded, into its Link header",
    matches: (req, res) =>
      res.status === -1 && /^\/webhooks\//i.test(req.path) && req.path.length > 4_000,
  },
];

function bodyField(r: RawRequest, field: string): unknown {
  try {
    return (JSON.parse(r.body?.toString("utf8") ?? "") as Record<string, unknown>)[field];
  } catch {
    return undefined;
  }
}

function parsesAsUrl(value: unknown): boolean {
  if (typeof value !== "string") return true;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** The known bug a failed exchange is an instance of, if any. */
export function knownBug(request: RawRequest, response: RawResponse): KnownBug | undefined {
  return KNOWN_BUGS.find((bug) => bug.matches(request, response));
}
