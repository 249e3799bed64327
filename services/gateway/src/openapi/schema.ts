import { z } from "zod";
import type { Scope } from "../admin/scopes.js";

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1) or an OpenAPI object, as plain data. */
export type Json = Record<string, unknown>;

/**
 * The JSON Schema of what a zod schema accepts, so a request schema in the document is the one
 * the route parses with and cannot drift from it. Refinements (e.g. "no credentials in a URL")
 * have no JSON Schema form; `notes` says them in words, per property.
 */
export function fromZod(schema: z.ZodType, notes: Record<string, string> = {}): Json {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
  }) as Json;
  const described = new Map(Object.entries(notes));
  const properties = Object.entries((json.properties ?? {}) as Record<string, Json>);
  const unknown = [...described.keys()].filter((n) => !properties.some(([name]) => name === n));
  if (unknown.length) throw new Error(`openapi: no properties ${unknown.join(", ")} to describe`);
  if (described.size)
    json.properties = Object.fromEntries(
      properties.map(([name, p]) => [
        name,
        described.has(name) ? { description: described.get(name), ...p } : p,
      ]),
    );
  return json;
}

/** The query parameters of a zod object schema: one per property, required as zod says. */
export function queryParameters(schema: z.ZodType, notes: Record<string, string> = {}): Json[] {
  const json = fromZod(schema, notes) as { properties: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties).map(([name, { description, ...s }]) => ({
    name,
    in: "query",
    required: json.required?.includes(name) ?? false,
    ...(description ? { description } : {}),
    schema: s,
  }));
}

export const pathParameter = (name: string, description: string, schema: Json): Json => ({
  name,
  in: "path",
  required: true,
  description,
  schema,
});

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const header = (name: string) => ({ $ref: `#/components/headers/${name}` });

/** Every answer carries X-Request-Id; `extra` names more headers from components.headers. */
export const headers = (...extra: string[]) =>
  Object.fromEntries(["X-Request-Id", ...extra].map((h) => [h, header(h)]));

/** A JSON body, required or not. */
export const jsonBody = (schema: Json, required = true): Json => ({
  required,
  content: { "application/json": { schema } },
});

/** A successful JSON answer. */
export const ok = (description: string, schema: Json): Json => ({
  description,
  headers: headers(),
  content: { "application/json": { schema } },
});

/** What each error status means when an operation does not say more. */
const MEANING: Record<number, string> = {
  400: "The input is invalid: each bad field is listed in `issues`",
  401: "No valid API key (missing, malformed, unknown, revoked or expired: one answer for all)",
  403: "The API key lacks the scope this operation needs",
  404: "Not found",
  409: "It exists already",
  413: "The body is larger than the limit",
  415: "The body is not JSON (Content-Type must be application/json)",
  429: "Too many requests: retry after Retry-After seconds",
  503: "The message broker did not confirm storage; nothing was done, retry after Retry-After seconds",
};
const RETRY = new Set([429, 503]);

/** problem+json (RFC 9457) answers: a status list, or statuses with what they mean here. */
export function problems(statuses: Record<number, string | true>): Record<string, Json> {
  return Object.fromEntries(
    Object.entries(statuses).map(([status, meaning]) => [
      status,
      {
        description: meaning === true ? (MEANING[Number(status)] ?? "Error") : meaning,
        headers: RETRY.has(Number(status)) ? headers("Retry-After") : headers(),
        content: { "application/problem+json": { schema: ref("Problem") } },
      },
    ]),
  );
}

interface AdminOperation {
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  scope: Scope;
  parameters?: Json[];
  requestBody?: Json;
  responses: Record<string, Json>;
  /** Statuses beyond the ones every admin operation can answer. */
  errors?: Record<number, string | true>;
}

/**
 * An admin operation: the API key with `scope` is required (OpenAPI 3.1 lists it as the security
 * requirement's role), and every one can answer 401, 403 and 429. A POST's body is read as JSON
 * before anything else, so each POST can also answer 400 (not JSON), 413 and 415.
 */
export function adminOperation(method: string, op: AdminOperation): Json {
  const { scope, tag, errors = {}, responses, ...rest } = op;
  const body: Record<number, true> = method === "post" ? { 400: true, 413: true, 415: true } : {};
  return {
    ...rest,
    description: `${op.description ? `${op.description}\n\n` : ""}Needs an API key with the scope \`${scope}\`.`,
    tags: [tag],
    security: [{ apiKey: [scope] }],
    responses: {
      ...responses,
      ...problems({ ...body, 401: true, 403: true, 429: true, ...errors }),
    },
  };
}
