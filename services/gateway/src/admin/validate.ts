import { InvalidRequest, NotFound } from "@hookrail/http";
import { z } from "zod";

/**
 * Text Postgres can store: `text` cannot hold NUL, and `jsonb` refuses `\u0000` and unpaired
 * UTF-16 surrogates. Admin input that is not is refused at the boundary (400), never sent to
 * the database to fail there (F-03 in docs/security.md).
 */
export function isStorableText(text: string): boolean {
  return text.isWellFormed() && !text.includes("\0");
}

const UNSTORABLE = "must not contain NUL (\\u0000) or an unpaired UTF-16 surrogate";

/** A string of storable text: every admin string field (body, query) starts from this. */
export const text = () => z.string().refine(isStorableText, UNSTORABLE);

/** The form of every prefixed id of the admin API (`src_…`, `sub_…`, `key_…`, chosen source ids). */
const RESOURCE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A path parameter naming a source, subscription or API key: an id of another form names
 * nothing, so it is a 404 before any query (and never reaches Postgres as NUL or a lone surrogate).
 */
export function resourceId(raw: unknown, what: string): string {
  const id = String(raw);
  if (!RESOURCE_ID.test(id))
    throw new NotFound(`no ${what} with id ${JSON.stringify(id.slice(0, 64).toWellFormed())}`);
  return id;
}

/** Parses request input with a schema; failures become a 400 listing every bad field. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  where: string,
): z.output<S> {
  // First, whatever the schema: no string anywhere in the input (a nested object's keys and
  // values included, e.g. hmac `options`) may be text Postgres cannot store.
  const unstorable = findUnstorable(input ?? {}, []);
  if (unstorable) {
    const path = unstorable.join(".") || where;
    throw new InvalidRequest(`invalid ${where}: ${path}: ${UNSTORABLE}`, [
      { path, message: UNSTORABLE },
    ]);
  }
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({
    path: i.path.join(".") || where,
    message: i.message,
  }));
  throw new InvalidRequest(
    `invalid ${where}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
    issues,
  );
}

/** The path of the first string (or key) in `value` that is not storable text, if any. */
function findUnstorable(value: unknown, path: string[], depth = 0): string[] | undefined {
  if (typeof value === "string") return isStorableText(value) ? undefined : path;
  // Admin bodies are at most 64 kB; past this depth the schema refuses the shape anyway.
  if (depth > 32 || typeof value !== "object" || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const at = [...path, safeKey(key)];
    if (!isStorableText(key)) return at;
    const found = findUnstorable(item, at, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** A key as it may be quoted back in an issue path: never NUL or a lone surrogate itself. */
function safeKey(key: string): string {
  return key.toWellFormed().replaceAll("\0", "\\u0000").slice(0, 64);
}
