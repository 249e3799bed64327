import { z } from "zod";

/** A TCP port number. */
export const port = () => z.coerce.number().int().min(0).max(65535);

/** A comma-separated list, trimmed, empty entries dropped. */
export const csvList = () =>
  z.string().transform((s) =>
    s
      .split(",")
      .map((x) => x.trim())
      .filter((x) => x.length > 0),
  );

/** One or more NATS server URLs, comma-separated (a cluster). */
export const natsUrls = () =>
  csvList().pipe(
    z
      .array(z.string().regex(/^(nats|tls|ws|wss):\/\/[^\s/]+$/, "must look like nats://host:port"))
      .min(1, "needs at least one nats:// URL"),
  );

/** A postgres:// or postgresql:// connection URL. */
export const postgresUrl = () =>
  z.string().refine((s) => /^postgres(ql)?:\/\/.+/.test(s) && URL.canParse(s), {
    message: "must be a postgres://user@host:port/database URL",
  });

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A duration such as `500ms`, `30s`, `5m`, `2h`, `3d`, or a bare number of milliseconds, parsed to
 * milliseconds. Give defaults with `.prefault("30s")` so the default goes through the parser too.
 */
export const duration = () =>
  z.string().transform((s, ctx) => {
    // eslint-disable-next-line security/detect-unsafe-regex -- linear: the only nested quantifier is behind a literal '.'; tests/security/regex-safety.test.ts
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(s.trim());
    if (!m?.[1]) {
      ctx.addIssue({ code: "custom", message: "must be a duration like 500ms, 30s, 5m, 2h or 3d" });
      return z.NEVER;
    }
    return Math.round(Number(m[1]) * (units[m[2] ?? "ms"] ?? 1));
  });
