import { EventEmitter } from "node:events";
import { type Context, createContextKey, ROOT_CONTEXT } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { EmitBindingContextManager } from "./context-manager.js";

const KEY = createContextKey("test");
const named = (name: string): Context => ROOT_CONTEXT.setValue(KEY, name);
const nameOf = (manager: EmitBindingContextManager) => manager.active().getValue(KEY);

describe("EmitBindingContextManager", () => {
  const manager = new EmitBindingContextManager().enable();
  afterEach(() => manager.disable().enable());

  it("runs listeners added after the binding in the bound context, whoever emits", () => {
    const emitter = manager.bind(named("request"), new EventEmitter());
    const seen: unknown[] = [];
    emitter.on("data", () => seen.push(nameOf(manager)));
    manager.with(named("socket"), () => emitter.emit("data"));
    emitter.emit("data");
    expect(seen).toEqual(["request", "request"]);
  });

  it("runs listeners added before the binding in the bound context too", () => {
    const emitter = new EventEmitter();
    const seen: unknown[] = [];
    emitter.on("finish", () => seen.push(nameOf(manager)));
    manager.bind(named("request"), emitter);
    manager.with(named("elsewhere"), () => emitter.emit("finish"));
    expect(seen).toEqual(["request"]);
  });

  it("keeps once, removeListener and emit's return value working", () => {
    const emitter = manager.bind(named("request"), new EventEmitter());
    let once = 0;
    let removed = 0;
    const listener = () => removed++;
    emitter.once("end", () => once++);
    emitter.on("end", listener);
    emitter.removeListener("end", listener);
    expect(emitter.emit("end")).toBe(true);
    expect(emitter.emit("end")).toBe(false);
    expect([once, removed]).toEqual([1, 0]);
    expect(emitter.listenerCount("end")).toBe(0);
  });

  it("keeps the first binding of an emitter", () => {
    const emitter = manager.bind(named("first"), new EventEmitter());
    manager.bind(named("second"), emitter);
    let seen: unknown;
    emitter.on("x", () => {
      seen = nameOf(manager);
    });
    emitter.emit("x");
    expect(seen).toBe("first");
  });

  it("binds functions as the stock manager does", () => {
    const fn = manager.bind(named("callback"), () => nameOf(manager));
    expect(manager.with(named("caller"), fn)).toBe("callback");
  });

  it("propagates a context across awaits", async () => {
    const seen = await manager.with(named("request"), async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return nameOf(manager);
    });
    expect(seen).toBe("request");
  });
});
