import { createHash } from "node:crypto";
import { timingSafeEqualBytes } from "./crypto.js";
import { readHeaders } from "./headers.js";
import { accept, fail, type VerifierInput, type VerifyResult } from "./result.js";

/**
 * Verifies a notification from Prometheus Alertmanager, which cannot sign a body: its
 * `http_config.authorization` sends `Authorization: Bearer <token>`, and the token is the
 * source's secret (compared in constant time, as hashes, so lengths leak nothing). The delivery
 * id is the body's SHA-256 (a repeated identical notification is one webhook); the event type is
 * `alertmanager.<status>` (`firing` or `resolved`).
 */
export function verifyAlertmanager(input: VerifierInput): VerifyResult {
  const read = readHeaders(input.headers, ["authorization"]);
  if (!read.ok) return read;
  const [authorization] = read.values;
  const token = /^Bearer (.+)$/.exec(authorization ?? "")?.[1];
  // eslint-disable-next-line security/detect-possible-timing-attacks -- a presence check against undefined; the token itself is compared in constant time below
  if (token === undefined)
    return fail("missing_signature", "Authorization: Bearer <token> is missing");
  const digest = (s: string) => createHash("sha256").update(s).digest();
  if (!input.secrets.some((secret) => timingSafeEqualBytes(digest(token), digest(secret)))) {
    return fail("bad_signature", "the bearer token does not match the source's secret");
  }
  let status = "notification";
  try {
    const parsed = JSON.parse(input.body.toString("utf8")) as { status?: unknown };
    if (typeof parsed.status === "string" && /^[a-z]{1,32}$/.test(parsed.status))
      status = parsed.status;
  } catch {
    return fail("malformed_payload", "the body is not JSON");
  }
  return accept(
    `sha256:${createHash("sha256").update(input.body).digest("hex")}`,
    `alertmanager.${status}`,
  );
}
