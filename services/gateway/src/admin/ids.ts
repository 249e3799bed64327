import { randomBytes } from "node:crypto";

/** A prefixed random id (`src_…`, `sub_…`, `key_…`): 120 bits, safe in URLs and NATS subjects. */
export function newId(prefix: "src" | "sub" | "key"): string {
  return `${prefix}_${randomBytes(15).toString("base64url").replaceAll("-", "A").replaceAll("_", "B")}`;
}
