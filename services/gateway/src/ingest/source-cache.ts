import { HmacOptions, ProviderName } from "@hookrail/contracts";
import { type Database, findSource } from "@hookrail/event-store";
import type { SecretBox } from "@hookrail/secrets";
import type { Kysely } from "kysely";

export interface IngestSource {
  id: string;
  provider: ProviderName;
  secrets: string[];
  options: HmacOptions | undefined;
}

/**
 * Sources change rarely and are read on every webhook: keep them for a few seconds. Unknown ids
 * are not cached, so a source is usable the moment it is created.
 */
export class SourceCache {
  private readonly entries = new Map<string, { source: IngestSource; expires: number }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
    private readonly ttlMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** `fresh`: skip the cache (after a signature failure, in case the secret was just rotated). */
  async get(id: string, options: { fresh?: boolean } = {}): Promise<IngestSource | undefined> {
    const hit = this.entries.get(id);
    if (hit && hit.expires > this.now() && !options.fresh) return hit.source;
    const row = await findSource(this.db, id);
    if (!row) return undefined;
    const provider = ProviderName.parse(row.provider);
    const source: IngestSource = {
      id: row.id,
      provider,
      // During a rotation the previous secret is accepted too, until it expires.
      secrets:
        row.previous_secret &&
        row.previous_secret_expires_at &&
        row.previous_secret_expires_at.getTime() > this.now()
          ? [this.box.open(row.secret), this.box.open(row.previous_secret)]
          : [this.box.open(row.secret)],
      options: provider === "hmac-sha256" ? HmacOptions.parse(row.options) : undefined,
    };
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(id, { source, expires: this.now() + this.ttlMs });
    return source;
  }
}
