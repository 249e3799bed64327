/** One level of the compiled paths: keys named at this level, and what applies under any key. */
interface PathTree {
  censored: boolean;
  named: Map<string, PathTree>;
  any?: PathTree;
}

const leaf = (): PathTree => ({ censored: false, named: new Map() });

/** "headers[\"x-hub-signature-256\"]" → ["headers", "x-hub-signature-256"]. */
function segments(path: string): string[] {
  return (path.match(/[^.[\]"]+|\[".*?"\]/g) ?? []).map((part) =>
    part.startsWith('["') ? part.slice(2, -2) : part,
  );
}

function compile(paths: readonly string[]): PathTree {
  const root = leaf();
  for (const path of paths) {
    let node = root;
    for (const segment of segments(path)) {
      if (segment === "*") node = node.any ??= leaf();
      else {
        const next = node.named.get(segment) ?? leaf();
        node.named.set(segment, next);
        node = next;
      }
    }
    node.censored = true;
  }
  return root;
}

/**
 * Redaction of pino's path syntax (`a.b`, `*.b`, `a["b-c"]`), compiled once into a tree and
 * applied in one walk. pino's own redactor (@pinojs/redact) runs once per top-level key of each
 * line and parses every path again each time: 5–9 µs a line here, and each field a line
 * carries (the request id, trace and span ids) about one more. Values on a path are replaced by
 * `censor`; what the caller logged is never changed (objects on a redacted path are copied,
 * with their prototype, so an Error stays an Error).
 */
export function compileRedaction(paths: readonly string[], censor: string): <T>(value: T) => T {
  const tree = compile(paths);
  const under = (value: unknown, node: PathTree | undefined): unknown => {
    if (node === undefined) return value;
    return node.censored ? censor : redactIn(value, node);
  };
  const redactIn = (value: unknown, node: PathTree): unknown => {
    if (value === null || typeof value !== "object") return value;
    const record = value as Record<string, unknown>;
    let copy: Record<string, unknown> | undefined;
    const visit = (key: string) => {
      // eslint-disable-next-line security/detect-object-injection -- key is an own key of record
      const before = record[key];
      const after = under(under(before, node.named.get(key)), node.any);
      if (after === before) return;
      copy ??= shallowCopy(record);
      // Defined, not assigned: an own "__proto__" key (JSON.parse makes them) stays a key.
      Object.defineProperty(copy, key, {
        value: after,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    };
    if (node.any) {
      for (const key in record) if (Object.hasOwn(record, key)) visit(key);
    } else {
      for (const key of node.named.keys()) if (Object.hasOwn(record, key)) visit(key);
    }
    return copy ?? value;
  };
  return <T>(value: T): T => redactIn(value, tree) as T;
}

function shallowCopy(node: Record<string, unknown>): Record<string, unknown> {
  if (Array.isArray(node)) return [...node] as unknown as Record<string, unknown>;
  const copy = Object.create(
    Object.getPrototypeOf(node),
    Object.getOwnPropertyDescriptors(node),
  ) as Record<string, unknown>;
  // V8's `stack` is an accessor that reads the error it was made for: copied, it reads nothing.
  if (node instanceof Error)
    Object.defineProperty(copy, "stack", { value: node.stack, configurable: true, writable: true });
  return copy;
}
