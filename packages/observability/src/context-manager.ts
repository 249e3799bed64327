import { EventEmitter } from "node:events";
import type { Context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";

/** Emitters bound already: the first binding wins, as with the stock manager. */
const bound = new WeakSet<EventEmitter>();

/**
 * OpenTelemetry's AsyncLocalStorage context manager, except for how it binds an EventEmitter.
 *
 * The HTTP instrumentation binds every request and response to the request's context, so that
 * listeners (a body parser's `data`/`end`, `finish`, `close`) run in the request's trace. The
 * stock manager does it by replacing seven methods on each emitter (`on`, `once`,
 * `removeListener`, …) and wrapping every listener added afterwards in a closure with a
 * redefined `length`: on the gateway that was some 14 closures, a patch map and a changed object
 * shape per request and response, and the biggest single share of what telemetry cost per
 * webhook (see docs/performance.md, "telemetry").
 *
 * This one replaces `emit` alone: every listener then runs in the bound context, one closure per
 * emitter, and an event without listeners enters no context at all. The difference: listeners added *before* the binding run in that context too (the
 * stock manager leaves them in whatever context emits). For a request or response bound as the
 * server hands it over, those are Node's own `finish` bookkeeping, which creates no spans. As
 * with the stock manager, the first binding of an emitter wins.
 */
export class EmitBindingContextManager extends AsyncLocalStorageContextManager {
  override bind<T>(context: Context, target: T): T {
    if (target instanceof EventEmitter) return this.#bindEmitter(context, target) as T;
    return super.bind(context, target);
  }

  #bindEmitter(context: Context, emitter: EventEmitter): EventEmitter {
    if (bound.has(emitter)) return emitter;
    bound.add(emitter);
    const emit = emitter.emit;
    const manager = this;
    emitter.emit = function boundEmit(this: EventEmitter, ...args: Parameters<typeof emit>) {
      // Most of a stream's events have no listener: entering a context costs a copy of the
      // async context frame, so only an event someone listens to pays for it.
      if (this.listenerCount(args[0]) === 0) return emit.apply(this, args);
      return manager.with(context, () => emit.apply(this, args));
    };
    return emitter;
  }
}
