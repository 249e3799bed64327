// handleSummary helpers: a JSON file for machines and a short text for people. Vendored.

interface MetricValues {
  [stat: string]: number;
}
interface SummaryData {
  metrics: Record<
    string,
    { type: string; values: MetricValues; thresholds?: Record<string, { ok: boolean }> }
  >;
}

/** Writes `<name>-summary.json` (the full data) and prints the figures that matter. */
export function summarize(name: string, data: SummaryData): Record<string, string> {
  const m = data.metrics;
  const duration = m.http_req_duration?.values ?? {};
  const lines = [
    `${name}: ${m.http_reqs?.values.count ?? 0} requests, ${(m.http_reqs?.values.rate ?? 0).toFixed(1)}/s`,
    `  202 latency p50 ${fmt(duration.med)} p95 ${fmt(duration["p(95)"])} p99 ${fmt(duration["p(99)"])}`,
    `  failed ${(((m.http_req_failed?.values.rate ?? 0) as number) * 100).toFixed(2)}%`,
    ...Object.entries(m)
      .filter(([, v]) => v.thresholds)
      .map(
        ([k, v]) =>
          `  threshold ${k}: ${Object.values(v.thresholds ?? {}).every((t) => t.ok) ? "ok" : "FAILED"}`,
      ),
  ];
  return {
    stdout: `${lines.join("\n")}\n`,
    [`${__ENV.SUMMARY_DIR || "."}/${name}-summary.json`]: JSON.stringify(data, null, 2),
  };
}

function fmt(ms: number | undefined): string {
  return ms === undefined ? "-" : `${ms.toFixed(1)} ms`;
}
