/**
 * A parser for the Prometheus text exposition format (version 0.0.4), enough for assertions on
 * what a service's /metrics shows.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** `# TYPE` of each metric family. */
  types: Map<string, string>;
  /** `# HELP` of each metric family. */
  help: Map<string, string>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)(\s+-?\d+)?\s*$/;

export function parsePrometheusText(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  for (const rawLine of text.split("\n")) {
    const line = rawLine.trim();
    if (line === "") continue;
    if (line.startsWith("#")) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)\s*(.*)$/.exec(line);
      if (m?.[1] === "TYPE") types.set(m[2] as string, (m[3] ?? "").trim());
      if (m?.[1] === "HELP") help.set(m[2] as string, m[3] ?? "");
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    samples.push({
      name: m[1] as string,
      labels: m[2] ? parseLabels(m[2].slice(1, -1)) : {},
      value: parseValue(m[3] as string),
    });
  }
  return { samples, types, help };
}

function parseValue(v: string): number {
  if (v === "+Inf" || v === "Inf") return Number.POSITIVE_INFINITY;
  if (v === "-Inf") return Number.NEGATIVE_INFINITY;
  if (v === "NaN") return Number.NaN;
  const n = Number(v);
  if (Number.isNaN(n)) throw new Error(`not a sample value: ${v}`);
  return n;
}

/** `a="x",b="y \"quoted\""` → {a: "x", b: 'y "quoted"'}; escapes: \\, \", \n. */
function parseLabels(s: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < s.length) {
    while (s[i] === "," || s[i] === " ") i++;
    if (i >= s.length) break;
    const eq = s.indexOf("=", i);
    if (eq === -1) throw new Error(`bad labels: ${s}`);
    const name = s.slice(i, eq).trim();
    i = eq + 1;
    if (s[i] !== '"') throw new Error(`bad labels: ${s}`);
    i++;
    let value = "";
    while (i < s.length && s[i] !== '"') {
      if (s[i] === "\\") {
        const next = s[i + 1];
        value += next === "n" ? "\n" : (next ?? "");
        i += 2;
      } else {
        value += s[i];
        i++;
      }
    }
    i++; // closing quote
    labels[name] = value;
  }
  return labels;
}

/** The samples of `name` whose labels include every entry of `filter`. */
export function select(
  exposition: Exposition,
  name: string,
  filter: Record<string, string | ((value: string) => boolean)> = {},
): Sample[] {
  return exposition.samples.filter(
    (s) =>
      s.name === name &&
      Object.entries(filter).every(([k, want]) => {
        const got = s.labels[k];
        if (got === undefined) return false;
        return typeof want === "function" ? want(got) : got === want;
      }),
  );
}

/** The sum of the values of `name`'s samples that match `filter` (0 when none match). */
export function sumMetric(
  exposition: Exposition,
  name: string,
  filter: Record<string, string | ((value: string) => boolean)> = {},
): number {
  return select(exposition, name, filter).reduce((sum, s) => sum + s.value, 0);
}

/** Names of the metric families exposed (from # TYPE lines, else from the sample names). */
export function metricNames(exposition: Exposition): string[] {
  const names = new Set(exposition.types.keys());
  if (names.size === 0) for (const s of exposition.samples) names.add(s.name);
  return [...names].sort();
}

/** Fetches and parses a /metrics endpoint. */
export async function scrape(url: string): Promise<Exposition> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
  return parsePrometheusText(await res.text());
}
