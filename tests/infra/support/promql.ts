/**
 * Just enough PromQL reading to list the series selectors of an expression: each metric name
 * with its label matchers. Functions, aggregations, keywords, label lists (`by (…)`,
 * `on (…)`, …), ranges (`[5m]`, `[$__rate_interval]`), numbers and strings are skipped. Good
 * for the expressions of rules and dashboards; not a full parser.
 */
export interface Matcher {
  label: string;
  op: "=" | "!=" | "=~" | "!~";
  value: string;
}
export interface Selector {
  metric: string;
  matchers: Matcher[];
}

const KEYWORDS = new Set([
  "and",
  "or",
  "unless",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "offset",
  "inf",
  "nan",
]);
// Aggregations may put `by (…)` between their name and their argument.
const AGGREGATIONS = new Set([
  "sum",
  "min",
  "max",
  "avg",
  "group",
  "stddev",
  "stdvar",
  "count",
  "count_values",
  "bottomk",
  "topk",
  "quantile",
  "limitk",
  "limit_ratio",
]);
// Followed by a parenthesised list of label names, not an expression.
const LABEL_LIST = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);
const IDENT = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL = /[a-zA-Z_][a-zA-Z0-9_]*/y;

class Reader {
  i = 0;
  constructor(readonly s: string) {}
  get done() {
    return this.i >= this.s.length;
  }
  peek() {
    return this.s[this.i] ?? "";
  }
  skipSpace() {
    while (!this.done) {
      const c = this.peek();
      if (c === "#") while (!this.done && this.peek() !== "\n") this.i++;
      else if (/\s/.test(c)) this.i++;
      else break;
    }
  }
  match(re: RegExp): string | undefined {
    re.lastIndex = this.i;
    const m = re.exec(this.s);
    if (!m) return undefined;
    this.i += m[0].length;
    return m[0];
  }
  string(): string {
    const quote = this.s[this.i++];
    let out = "";
    while (!this.done && this.peek() !== quote) {
      if (this.peek() === "\\" && quote !== "`") this.i++;
      out += this.s[this.i++];
    }
    this.i++;
    return out;
  }
  /** Skips from an opening bracket to its match. */
  skipGroup(open: string, close: string) {
    let depth = 0;
    while (!this.done) {
      const c = this.s[this.i++];
      if (c === '"' || c === "'" || c === "`") {
        this.i--;
        this.string();
      } else if (c === open) depth++;
      else if (c === close && --depth === 0) return;
    }
  }
  matchers(): Matcher[] {
    const out: Matcher[] = [];
    this.i++; // {
    for (;;) {
      this.skipSpace();
      if (this.peek() === "}") {
        this.i++;
        return out;
      }
      if (this.peek() === ",") {
        this.i++;
        continue;
      }
      const label = this.match(LABEL);
      if (!label) throw new Error(`bad label matcher at ${this.i} in ${this.s}`);
      this.skipSpace();
      const op = this.match(/=~|!~|!=|=/y) as Matcher["op"] | undefined;
      if (!op) throw new Error(`bad matcher operator at ${this.i} in ${this.s}`);
      this.skipSpace();
      out.push({ label, op, value: this.string() });
    }
  }
}

/** The series selectors of a PromQL expression, in order. */
export function selectors(expr: string): Selector[] {
  const r = new Reader(expr);
  const out: Selector[] = [];
  while (!r.done) {
    r.skipSpace();
    if (r.done) break;
    const c = r.peek();
    if (c === '"' || c === "'" || c === "`") r.string();
    else if (c === "[") r.skipGroup("[", "]");
    else if (c === "{") {
      // A selector with no name: its __name__ matcher names the metric.
      const matchers = r.matchers();
      const name = matchers.find((m) => m.label === "__name__" && m.op === "=");
      if (name) out.push({ metric: name.value, matchers: matchers.filter((m) => m !== name) });
    } else if (/[0-9.]/.test(c)) r.match(/[0-9.]+(e[+-]?[0-9]+)?[a-zA-Z0-9]*/iy);
    else if (/[a-zA-Z_:]/.test(c)) {
      const word = r.match(IDENT) as string;
      r.skipSpace();
      if (LABEL_LIST.has(word) && r.peek() === "(") r.skipGroup("(", ")");
      else if (KEYWORDS.has(word.toLowerCase()) || AGGREGATIONS.has(word) || r.peek() === "(") {
        // a keyword, or a function or aggregation being called
      } else out.push({ metric: word, matchers: r.peek() === "{" ? r.matchers() : [] });
    } else r.i++;
  }
  return out;
}

/** The metric names an expression reads. */
export function metricNames(expr: string): Set<string> {
  return new Set(selectors(expr).map((s) => s.metric));
}
