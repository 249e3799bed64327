import { randomUUID } from "node:crypto";
import { HmacOptions, type ProviderName } from "@hookrail/contracts";
import { hmacSha256 } from "./crypto.js";
import { signStandardWebhook } from "./sign.js";

/** What `signAs` needs to sign one webhook as a provider would. */
export interface SignAsInput {
  /** The exact bytes that will be sent. */
  body: string | Buffer;
  secret: string;
  /** The signing time, for providers that sign a timestamp. */
  now: Date;
  /**
   * The provider's delivery id, for GitHub (`X-GitHub-Delivery`, a random UUID when absent),
   * Standard Webhooks (`webhook-id`, a random `msg_…` when absent) and `hmac-sha256` (sent only
   * when `options.deliveryIdHeader` is set). Stripe takes its id from the body, so it is ignored.
   */
  deliveryId?: string;
  /**
   * The event type, for GitHub (`X-GitHub-Event`) and `hmac-sha256` (sent only when
   * `options.eventTypeHeader` is set). Stripe and Standard Webhooks take it from the body.
   */
  eventType?: string;
  /** Settings of the `hmac-sha256` provider; its defaults apply when absent. */
  options?: HmacOptions;
}

/**
 * The headers `provider` would send with `body`, signed with `secret`, so that end-to-end tests
 * and load runs can send webhooks the gateway accepts. Names are lowercase, so the result is also
 * a valid `HeaderBag` for `verifyWebhook`. Includes the content type and user agent the real
 * provider sends where that is fixed.
 */
export function signAs(provider: ProviderName, input: SignAsInput): Record<string, string> {
  const seconds = Math.floor(input.now.getTime() / 1000);
  switch (provider) {
    case "github": {
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "user-agent": "GitHub-Hookshot/hookrail",
        "x-github-delivery": input.deliveryId ?? randomUUID(),
        "x-hub-signature-256": `sha256=${hmacSha256(input.secret, input.body).toString("hex")}`,
      };
      if (input.eventType !== undefined) headers["x-github-event"] = input.eventType;
      return headers;
    }
    case "stripe": {
      const v1 = hmacSha256(input.secret, `${seconds}.`, input.body).toString("hex");
      return {
        "content-type": "application/json; charset=utf-8",
        "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        "stripe-signature": `t=${seconds},v1=${v1}`,
      };
    }
    case "standard-webhooks": {
      const id = input.deliveryId ?? `msg_${randomUUID().replaceAll("-", "")}`;
      const signed = signStandardWebhook({
        id,
        timestamp: seconds,
        body: input.body,
        secrets: [input.secret],
      });
      return { "content-type": "application/json", ...signed };
    }
    case "hmac-sha256":
      return signHmac(input, input.options ?? HmacOptions.parse({}));
    case "alertmanager":
      return { "content-type": "application/json", authorization: `Bearer ${input.secret}` };
  }
}

function signHmac(input: SignAsInput, options: HmacOptions): Record<string, string> {
  const digest = hmacSha256(input.secret, input.body).toString(options.encoding);
  const headers: Record<string, string> = { [options.signatureHeader.toLowerCase()]: digest };
  if (options.deliveryIdHeader !== undefined && input.deliveryId !== undefined) {
    headers[options.deliveryIdHeader.toLowerCase()] = input.deliveryId;
  }
  if (options.eventTypeHeader !== undefined && input.eventType !== undefined) {
    headers[options.eventTypeHeader.toLowerCase()] = input.eventType;
  }
  return headers;
}
