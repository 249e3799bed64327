import { signAs } from "@hookrail/signatures";

/** One signed webhook, ready to post. Its `id` is both the GitHub delivery id and the request id. */
export interface BenchWebhook {
  id: string;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Makes GitHub-signed webhooks with unique delivery ids, bodies of about `bodyBytes`, each carrying
 * its id in the body as well (the notifier delivers the body as it was received).
 */
export function githubWebhooks(runId: string, secret: string, bodyBytes: number) {
  let n = 0;
  const skeleton = JSON.stringify({ action: "benchmark", bench: { id: `${runId}.0` }, pad: "" });
  const pad = "x".repeat(Math.max(0, bodyBytes - skeleton.length - 8));
  return (): BenchWebhook => {
    const id = `${runId}.${n++}`;
    const body = JSON.stringify({ action: "benchmark", bench: { id }, pad });
    const headers = signAs("github", {
      body,
      secret,
      now: new Date(),
      deliveryId: id,
      eventType: "push",
    });
    return { id, headers: { ...headers, "x-request-id": id }, body: Buffer.from(body) };
  };
}
