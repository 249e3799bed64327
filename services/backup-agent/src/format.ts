import type { BackupEntry, VerificationRecord } from "@hookrail/backup";

export const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** `backup list`: one line per backup, newest first. */
export function formatList(entries: readonly BackupEntry[]): string {
  if (entries.length === 0) return "no backups\n";
  const lines = entries.map((e) => {
    const status = e.complete ? "complete" : "INCOMPLETE";
    const v = e.verification;
    const verified = v ? `L${v.level} ${v.ok ? "ok" : "FAILED"} ${v.checkedAt}` : "not verified";
    const events = e.manifest?.postgres.tables["public.events"]?.rows;
    const messages = e.manifest?.jetstream.streams
      .map((s) => `${s.name}=${s.state.messages}`)
      .join(" ");
    const contents = e.manifest ? `events=${events ?? 0} ${messages}` : (e.problem ?? "");
    // A failed verification says which check failed, as the BackupVerifyFailed runbook expects.
    const why = v && !v.ok ? `  (${v.reason})` : "";
    const columns = [e.id, status.padEnd(10), mb(e.bytes).padStart(10), verified.padEnd(34)];
    return `${columns.join("  ")}  ${contents}${why}`;
  });
  return `${lines.join("\n")}\n`;
}

/** `backup verify`: every check, then the verdict. */
export function formatChecks(record: VerificationRecord): string {
  const lines = record.checks.map(
    (c) => `${c.ok ? "ok  " : "FAIL"}  ${c.name.padEnd(36)} ${c.detail}`,
  );
  lines.push(
    `${record.ok ? "verified" : "FAILED"}: ${record.id} at level ${record.level} in ${seconds(record.durationMs)}${record.reason ? ` — ${record.reason}` : ""}`,
  );
  return `${lines.join("\n")}\n`;
}
