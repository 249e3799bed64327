import { z } from "zod";
import type { SecretKey } from "./secret-box.js";

/**
 * Parses `SECRETS_ENCRYPTION_KEYS`: `version:base64key` entries, comma-separated, newest first,
 * each key 32 bytes (e.g. `openssl rand -base64 32`).
 */
export function parseKeyring(text: string): SecretKey[] {
  const keys = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry, i) => {
      const m = /^([A-Za-z0-9_-]{1,16}):([A-Za-z0-9+/=_-]+)$/.exec(entry);
      if (!m?.[1] || !m[2])
        throw new Error(`entry ${i + 1} must look like v1:<base64 of 32 bytes>`);
      const key = Buffer.from(m[2], "base64");
      if (key.length !== 32)
        throw new Error(
          `key ${m[1]} is ${key.length} bytes; it must be 32 (openssl rand -base64 32)`,
        );
      return { version: m[1], key };
    });
  const versions = new Set(keys.map((k) => k.version));
  if (versions.size !== keys.length) throw new Error("key versions must be unique");
  return keys;
}

/** The zod field for `SECRETS_ENCRYPTION_KEYS`; unset means secrets are stored as given. */
export const secretKeysEnv = () =>
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (!text) return [];
      try {
        return parseKeyring(text);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    });
