import { rm } from "node:fs/promises";
import { type BackupEntry, isVerified, listBackups } from "./catalog.js";
import { syncDirectory } from "./files.js";

/** How many backups to keep (BACKUP_KEEP_LAST, BACKUP_KEEP_DAILY, BACKUP_KEEP_WEEKLY). */
export interface RetentionPolicy {
  /** The newest N verified backups. */
  keepLast: number;
  /** The newest verified backup of each of the last N days that have one (UTC days). */
  keepDaily: number;
  /** The newest verified backup of each of the last N weeks that have one (weeks from Monday). */
  keepWeekly: number;
}

export interface RetentionCandidate {
  id: string;
  createdAt: Date;
  /** Passed verification (at the level the agent requires). */
  verified: boolean;
}

export interface RetentionPlan {
  /** Kept ids with why (`last`, `daily`, `weekly`, `unverified-newer`). */
  keep: Map<string, string[]>;
  prune: string[];
}

const DAY_MS = 86_400_000;

/**
 * Decides which backups to keep. Only verified backups count toward the limits, and nothing is
 * pruned unless a newer backup has verified: every pruned backup is older than the newest
 * verified one, and anything newer (not verified yet, or failed) is kept. With no verified
 * backup at all, everything is kept.
 */
export function planRetention(
  candidates: readonly RetentionCandidate[],
  policy: RetentionPolicy,
): RetentionPlan {
  const sorted = [...candidates].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const verified = sorted.filter((c) => c.verified);
  const keep = new Map<string, string[]>();
  const mark = (id: string, why: string) => keep.set(id, [...(keep.get(id) ?? []), why]);
  const newest = verified[0];
  if (!newest) {
    for (const c of sorted) mark(c.id, "no-verified-backup-yet");
    return { keep, prune: [] };
  }
  for (const c of sorted)
    if (c.createdAt.getTime() > newest.createdAt.getTime()) mark(c.id, "unverified-newer");
  for (const c of verified.slice(0, Math.max(1, policy.keepLast))) mark(c.id, "last");
  keepNewestPerBucket(verified, policy.keepDaily, dayOf, (id) => mark(id, "daily"));
  keepNewestPerBucket(verified, policy.keepWeekly, weekOf, (id) => mark(id, "weekly"));
  return { keep, prune: sorted.filter((c) => !keep.has(c.id)).map((c) => c.id) };
}

function keepNewestPerBucket(
  newestFirst: readonly RetentionCandidate[],
  buckets: number,
  bucketOf: (d: Date) => number,
  keep: (id: string) => void,
) {
  const seen = new Set<number>();
  for (const c of newestFirst) {
    if (seen.size >= buckets) return;
    const b = bucketOf(c.createdAt);
    if (seen.has(b)) continue;
    seen.add(b);
    keep(c.id);
  }
}

const dayOf = (d: Date) => Math.floor(d.getTime() / DAY_MS);
// Day 0 (1970-01-01) was a Thursday: shifting by 3 makes weeks start on Monday.
const weekOf = (d: Date) => Math.floor((dayOf(d) + 3) / 7);

/** Applies the policy to `backupDir`: deletes what the plan prunes (incomplete leftovers too). */
export async function pruneBackups(
  backupDir: string,
  policy: RetentionPolicy,
  minVerifyLevel: number,
): Promise<{ plan: RetentionPlan; entries: BackupEntry[] }> {
  const entries = await listBackups(backupDir);
  const plan = planRetention(
    entries.map((e) => ({
      id: e.id,
      createdAt: e.createdAt,
      verified: isVerified(e, minVerifyLevel),
    })),
    policy,
  );
  for (const id of plan.prune) {
    const entry = entries.find((e) => e.id === id);
    if (entry) await rm(entry.dir, { recursive: true, force: true });
  }
  if (plan.prune.length > 0) await syncDirectory(backupDir);
  return { plan, entries };
}
