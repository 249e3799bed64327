import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

// Reading the operations documents, and checking that what their commands name is real: pnpm
// scripts, HTTP routes and ops paths, metric names, compose services, Grafana panels and
// environment variables. Shared by the runbook, troubleshooting and incident-response tests.

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

/** Files under `dir` (relative to the root) whose names end with one of `suffixes`. */
export function filesUnder(dir: string, suffixes: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (abs: string) => {
    for (const name of readdirSync(abs)) {
      const path = join(abs, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (suffixes.some((s) => name.endsWith(s))) out.push(relative(ROOT, path));
    }
  };
  walk(join(ROOT, dir));
  return out.sort();
}

export interface CodeBlock {
  lang: string;
  body: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The `<!-- docs-test: … -->` marker on the last non-blank line before the fence, if any. */
  marker: string | undefined;
}

const MARKER = /^<!--\s*docs-test:\s*(.*?)\s*-->$/;

/** Fenced code blocks of a Markdown text, with the docs-test marker that precedes each. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i] ?? "");
    if (!open) continue;
    const fence = open[2] ?? "```";
    let j = i - 1;
    while (j >= 0 && (lines[j] ?? "").trim() === "") j--;
    const marker = MARKER.exec((lines[j] ?? "").trim())?.[1];
    const body: string[] = [];
    let k = i + 1;
    while (k < lines.length && !(lines[k] ?? "").trim().startsWith(fence))
      body.push(lines[k++] ?? "");
    blocks.push({ lang: open[3] ?? "", body: body.join("\n"), line: i + 1, marker });
    i = k;
  }
  return blocks;
}

/** The Markdown text with fenced blocks removed (for inline code and prose). */
export function prose(markdown: string): string {
  return markdown.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1\s*$/gm, "");
}

/** Inline code spans outside fenced blocks. */
export function inlineCode(markdown: string): string[] {
  return [...prose(markdown).matchAll(/(`+)([^`]+?)\1/g)].map((m) => (m[2] ?? "").trim());
}

/** Inline code and fenced shell blocks: everything a reader might paste into a shell. */
export function snippets(markdown: string): string[] {
  return [
    ...inlineCode(markdown),
    ...codeBlocks(markdown)
      .filter((b) => SHELL_LANGS.has(b.lang))
      .map((b) => b.body),
  ];
}

export const SHELL_LANGS = new Set(["sh", "bash", "console", "shell"]);

// ---------------------------------------------------------------------------------------------
// What is real

interface Route {
  method: string;
  pattern: RegExp;
  path: string;
}

/** The gateway's HTTP routes, read from its Express routers. */
export function gatewayRoutes(): Route[] {
  const routes: Route[] = [];
  for (const file of filesUnder("services/gateway/src", [".ts"])) {
    if (file.endsWith(".test.ts")) continue;
    const text = read(file);
    for (const m of text.matchAll(
      /\b(?:router|app)\.(get|post|put|patch|delete)\(\s*[`"](\/[^`"]*)[`"]/g,
    )) {
      const path = m[2] ?? "";
      const pattern = new RegExp(
        `^${path
          .split("/")
          .map((seg) => (seg.startsWith(":") || seg.includes("${") ? "[^/]+" : escapeRegExp(seg)))
          .join("/")}$`,
      );
      routes.push({ method: (m[1] ?? "").toUpperCase(), pattern, path });
    }
  }
  return routes;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Paths served on ports other than the gateway's, by port. */
const OTHER_PATHS: Record<string, RegExp> = {
  // the services' ops ports: gateway, processor, notifier, backup-agent
  "9464": /^\/(healthz|readyz|metrics)$/,
  "9465": /^\/(healthz|readyz|metrics)$/,
  "9466": /^\/(healthz|readyz|metrics)$/,
  "9467": /^\/(healthz|readyz|metrics)$/,
  // Prometheus, Alertmanager, NATS monitoring, Jaeger, Grafana (compose.yaml)
  "9090":
    /^\/(api\/v1\/(query|query_range|alerts|rules|targets)|targets|alerts|graph|-\/(healthy|ready))?$/,
  "9093": /^\/(api\/v2\/(alerts|silences|status)|-\/(healthy|ready))?$/,
  "8222": /^\/(healthz|jsz|connz|varz|routez|subsz|accountz)?$/,
  "16686": /^\/(search|api\/traces|api\/services|trace\/[^/]+)?$/,
  "3000": /^\/(d\/[\w-]+(\/[\w-]+)?|api\/health|alerting\/list)?$/,
  // Postgres: the path is a database
  "5432": /^\/(hookrail|postgres)$/,
};

/** Metric names in docs/observability.md's metrics table; names ending in `*` are prefixes. */
export function documentedMetrics(): { names: Set<string>; prefixes: string[] } {
  const text = read("docs/observability.md");
  const section = text.slice(text.indexOf("## Metrics"), text.indexOf("## Alerts"));
  const names = new Set<string>();
  const prefixes: string[] = [];
  for (const line of section.split("\n")) {
    if (!line.startsWith("| `")) continue;
    const first = line.split("|")[1] ?? "";
    const spans = [...first.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? "");
    let base = "";
    for (const span of spans) {
      if (span.endsWith("*")) prefixes.push(span.slice(0, -1));
      else if (span.startsWith("_") && base) names.add(base + span);
      else {
        names.add(span);
        base = span.replace(/_(bucket|sum|count)$/, "");
      }
    }
  }
  return { names, prefixes };
}

/** Names only the exporters of compose.yaml or Prometheus itself expose, as the alert rules use them. */
function exporterMetrics(): Set<string> {
  const names = new Set(["up"]);
  for (const file of filesUnder("infra/prometheus/rules", [".yml"]))
    for (const m of read(file).matchAll(/\b(node_[a-z0-9_]+)/g)) names.add(m[1] ?? "");
  return names;
}

function packageScripts(path: string): Set<string> {
  return new Set(Object.keys(JSON.parse(read(path)).scripts ?? {}));
}

const COMPOSE_SERVICES = (): Set<string> =>
  new Set(Object.keys((parse(read("compose.yaml")) as { services: object }).services));

interface Panel {
  title?: string;
  panels?: Panel[];
}
export function grafanaPanels(): Set<string> {
  const titles = new Set<string>();
  const walk = (panels: Panel[] = []) => {
    for (const p of panels) {
      if (p.title) titles.add(p.title);
      walk(p.panels);
    }
  };
  for (const file of filesUnder("infra/grafana/dashboards", [".json"])) {
    const dashboard = JSON.parse(read(file)) as Panel;
    if (dashboard.title) titles.add(dashboard.title);
    walk(dashboard.panels);
  }
  return titles;
}

/** Environment variables named in docs/configuration.md (generated from the schemas). */
export function configVariables(): Set<string> {
  return new Set(
    [...read("docs/configuration.md").matchAll(/^\| `([A-Z][A-Z0-9_]+)`/gm)].map((m) => m[1] ?? ""),
  );
}

const BACKUP_COMMANDS = new Set(["run", "list", "verify", "restore", "prune", "help"]);
const PROJECTIONS_COMMANDS = new Set(["check", "rebuild"]);
const PNPM_BUILTINS = new Set(["install", "exec", "dlx", "add", "run", "-s", "--silent"]);

/** Variables that are neither Hookrail's nor the telemetry SDKs' but are fine to name. */
const OTHER_VARIABLES = new Set(["FAULT_SCALE", "FAULT_REPORT", "FAULT_LOG_DIR"]);

// ---------------------------------------------------------------------------------------------
// The check

export interface Reality {
  routes: Route[];
  metrics: { names: Set<string>; prefixes: string[] };
  exporters: Set<string>;
  scripts: Set<string>;
  compose: Set<string>;
  panels: Set<string>;
  variables: Set<string>;
}

export function reality(): Reality {
  return {
    routes: gatewayRoutes(),
    metrics: documentedMetrics(),
    exporters: exporterMetrics(),
    scripts: packageScripts("package.json"),
    compose: COMPOSE_SERVICES(),
    panels: grafanaPanels(),
    variables: configVariables(),
  };
}

const METRIC =
  /\b((?:hookrail|http_server|http_client|db_client|node_(?:filesystem|memory|cpu|disk|network|load))_[a-z0-9_]*[a-z0-9])\b/g;

/** Metric names a text cites that are not documented (nor an exporter's that the rules use). */
export function unknownMetrics(text: string, real: Reality): string[] {
  const bad = new Set<string>();
  for (const m of text.matchAll(METRIC)) {
    const name = m[1] ?? "";
    if (real.metrics.names.has(name) || real.exporters.has(name)) continue;
    if (real.metrics.prefixes.some((p) => name.startsWith(p))) continue;
    bad.add(name);
  }
  return [...bad];
}

/**
 * Problems with what a document's commands name. `text` is the whole Markdown document: its
 * inline code and fenced shell blocks are checked, and its prose for metric names and panels.
 */
export function commandProblems(text: string, real: Reality): string[] {
  const problems: string[] = [];
  for (const raw of snippets(text)) {
    // Placeholders such as <webhook id> stand for one path segment.
    const snippet = raw.replace(/<[^<>\n]+>/g, "X");
    for (const m of snippet.matchAll(/\bpnpm\s+((?:--dir\s+\S+\s+)?)([\w:.-]+)(?:\s+([\w-]+))?/g)) {
      const dir = (m[1] ?? "").replace(/^--dir\s+/, "").trim();
      const script = m[2] ?? "";
      const scripts = dir ? packageScripts(join(dir, "package.json")) : real.scripts;
      if (!scripts.has(script) && !PNPM_BUILTINS.has(script))
        problems.push(`pnpm ${dir ? `--dir ${dir} ` : ""}${script}: no such script`);
      const sub = m[3];
      if (script === "backup" && sub && !BACKUP_COMMANDS.has(sub))
        problems.push(`pnpm backup ${sub}: no such backup command`);
      if (script === "projections" && sub && !PROJECTIONS_COMMANDS.has(sub))
        problems.push(`pnpm projections ${sub}: no such command`);
    }
    for (const m of snippet.matchAll(/(?:^|[\s`(])backup\s+([a-z]+)/g)) {
      if (/docker compose exec backup-agent/.test(snippet)) continue; // the helper's definition
      const sub = m[1] ?? "";
      if (
        !BACKUP_COMMANDS.has(sub) &&
        !/^(the|a|is|and|that|of|to|in|files?|failed|failure|agent|disk|dir)$/.test(sub)
      )
        problems.push(`backup ${sub}: no such backup command`);
    }
    problems.push(...urlProblems(snippet, real));
    for (const m of snippet.matchAll(
      /docker compose[ \t]+(ps|logs|up|restart|stop|start|exec|kill|rm)\b((?:[ \t]+(?!\||>|;|&&)\S+)*)/g,
    )) {
      const verb = m[1] ?? "";
      const args = (m[2] ?? "").trim().split(/\s+/).filter(Boolean);
      const names: string[] = [];
      for (let i = 0; i < args.length; i++) {
        const a = args[i] ?? "";
        if (/^[|>;&]/.test(a)) break;
        if (a.startsWith("-")) continue;
        names.push(a);
        if (verb === "exec") break;
      }
      for (const n of names)
        if (n !== "X" && !real.compose.has(n) && /^[a-z][a-z0-9-]*$/.test(n))
          problems.push(`docker compose ${verb} ${n}: no such compose service`);
    }
    for (const m of snippet.matchAll(/\b([A-Z][A-Z0-9]*_[A-Z0-9_]+)\b/g)) {
      const name = m[1] ?? "";
      if (real.variables.has(name) || OTHER_VARIABLES.has(name)) continue;
      if (/^(OTEL|SENTRY)_/.test(name)) continue;
      if (raw.includes(`${name}=`) || raw.includes(`$${name}`)) continue; // set by the snippet itself
      problems.push(`${name}: not a configuration variable (docs/configuration.md)`);
    }
  }
  for (const name of unknownMetrics(text, real))
    problems.push(`${name}: not in docs/observability.md's metrics table`);
  for (const line of prose(text).split("\n")) {
    if (!/Grafana|overview →/.test(line)) continue;
    for (const m of line.matchAll(/(?:^|[\s(→])_([^_\n]+)_/g)) {
      const title = m[1] ?? "";
      if (!real.panels.has(title)) problems.push(`Grafana panel "${title}" does not exist`);
    }
  }
  return problems;
}

/** Problems with the URLs of a snippet: each must be a route or path that is served. */
function urlProblems(snippet: string, real: Reality): string[] {
  const problems: string[] = [];
  const isPost = /\s-X\s*POST\b|\s-d\s|\s--data(?!-urlencode)\b/.test(snippet);
  const isDelete = /\s-X\s*DELETE\b/.test(snippet);
  const method = isDelete ? "DELETE" : isPost ? "POST" : "GET";
  for (const m of snippet.matchAll(
    /(?:\$\{?API\}?|(?:https?:\/\/)?(?:[\w-]+@)?(?:localhost|127\.0\.0\.1):(\d+))(\/[^\s'"`);\\]*)?/g,
  )) {
    const port = m[1] ?? "8080";
    const path = (m[2] ?? "").replace(/[?#].*$/, "").replace(/\/$/, "") || "";
    if (path === "" && port !== "8080") continue;
    if (port === "8080") {
      if (path === "") continue;
      const matches = real.routes.filter((r) => r.pattern.test(path));
      if (matches.length === 0) problems.push(`${path}: the gateway has no such route`);
      else if (/curl/.test(snippet) && !matches.some((r) => r.method === method))
        problems.push(
          `${method} ${path}: the gateway has no such route (only ${matches[0]?.method})`,
        );
      continue;
    }
    const allowed = OTHER_PATHS[port];
    if (!allowed) problems.push(`localhost:${port}${path}: not a port of Hookrail or its cluster`);
    else if (!allowed.test(path)) problems.push(`localhost:${port}${path}: no such path there`);
  }
  return problems;
}
