import { AsyncLocalStorage } from "node:async_hooks";
import {
  type Context,
  type ContextManager,
  ROOT_CONTEXT,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  trace,
} from "@opentelemetry/api";

// @opentelemetry/core and the async-hooks context manager are not installed; these are the
// smallest stand-ins that behave like them for one W3C `traceparent`.

/** Keeps the active context across awaits, like @opentelemetry/context-async-hooks. */
export class TestContextManager implements ContextManager {
  readonly #storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.#storage.run(context, () => fn.apply(thisArg, args));
  }
  bind<T>(_context: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#storage.disable();
    return this;
  }
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** W3C trace-context `traceparent` only, like W3CTraceContextPropagator without tracestate. */
export class TestW3CPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const sc = trace.getSpanContext(context);
    if (!sc) return;
    const flags = sc.traceFlags.toString(16).padStart(2, "0");
    setter.set(carrier, "traceparent", `00-${sc.traceId}-${sc.spanId}-${flags}`);
  }
  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const raw = getter.get(carrier, "traceparent");
    const match = TRACEPARENT.exec(Array.isArray(raw) ? (raw[0] ?? "") : (raw ?? ""));
    if (!match?.[1] || !match[2] || !match[3]) return context;
    return trace.setSpanContext(context, {
      traceId: match[1],
      spanId: match[2],
      traceFlags: Number.parseInt(match[3], 16),
      isRemote: true,
    });
  }
  fields(): string[] {
    return ["traceparent"];
  }
}
