import { type Context, createContextKey, ROOT_CONTEXT } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { LINKED_ROOT } from "./linked-context.js";

const KEYS = [createContextKey("a"), createContextKey("b"), createContextKey("c")];

describe("LINKED_ROOT", () => {
  it("reads as the API's context through any sequence of sets and deletes, each step unchanged", () => {
    let seed = 42;
    const next = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    // Pairs of (API context, linked context) after each step, all kept to check immutability.
    const steps: Array<[Context, Context]> = [[ROOT_CONTEXT, LINKED_ROOT]];
    for (let i = 0; i < 2000; i++) {
      const [api, linked] = steps[next(steps.length)] as [Context, Context];
      const key = KEYS[next(KEYS.length)] as symbol;
      const value = next(4) === 0 ? undefined : { i };
      steps.push(
        next(3) === 0
          ? [api.deleteValue(key), linked.deleteValue(key)]
          : [api.setValue(key, value), linked.setValue(key, value)],
      );
    }
    for (const [api, linked] of steps)
      for (const key of KEYS) expect(linked.getValue(key)).toBe(api.getValue(key));
  });
});
