import type { Context } from "@opentelemetry/api";

const DELETED = Symbol("deleted");

/**
 * An OpenTelemetry context as a chain of single entries: setting a value makes one small node
 * that points at its parent. The API's own context copies its whole Map and makes three
 * closures on every `setValue`, and a request sets a value at least twice (its span, its
 * baggage) while the lookups stay a few links deep. Use `LINKED_ROOT` where a request's context
 * starts (`propagation.extract(LINKED_ROOT, headers)`): everything derived from it is linked.
 */
class LinkedContext implements Context {
  readonly #parent: LinkedContext | undefined;
  readonly #key: symbol | undefined;
  readonly #value: unknown;

  constructor(parent?: LinkedContext, key?: symbol, value?: unknown) {
    this.#parent = parent;
    this.#key = key;
    this.#value = value;
  }

  getValue(key: symbol): unknown {
    for (let at: LinkedContext | undefined = this; at; at = at.#parent) {
      if (at.#key === key) return at.#value === DELETED ? undefined : at.#value;
    }
    return undefined;
  }

  setValue(key: symbol, value: unknown): Context {
    return new LinkedContext(this, key, value);
  }

  deleteValue(key: symbol): Context {
    return new LinkedContext(this, key, DELETED);
  }
}

/** An empty context, like the API's ROOT_CONTEXT, whose descendants are linked. */
export const LINKED_ROOT: Context = new LinkedContext();
