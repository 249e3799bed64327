import { z } from "zod";

/** How a source signs its webhooks. */
export const ProviderName = z.enum([
  "github",
  "stripe",
  "standard-webhooks",
  "hmac-sha256",
  "alertmanager",
]);
export type ProviderName = z.infer<typeof ProviderName>;

/** Settings of the generic `hmac-sha256` provider; ignored by the others. */
export const HmacOptions = z
  .object({
    /** Header carrying the signature, e.g. `X-Signature`. */
    signatureHeader: z.string().min(1).max(100).default("X-Signature"),
    /** Encoding of the signature value. A `sha256=` prefix is tolerated. */
    encoding: z.enum(["hex", "base64"]).default("hex"),
    /** Header carrying the sender's delivery id; when absent the body's hash is the id. */
    deliveryIdHeader: z.string().min(1).max(100).optional(),
    /** Header carrying the event type; when absent the type is `webhook`. */
    eventTypeHeader: z.string().min(1).max(100).optional(),
  })
  .strict();
export type HmacOptions = z.infer<typeof HmacOptions>;
