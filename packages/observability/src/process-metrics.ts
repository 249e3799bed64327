import { monitorEventLoopDelay } from "node:perf_hooks";
import { metrics } from "@opentelemetry/api";
import { observeGauge } from "./metrics.js";

/** Memory, CPU and event-loop delay of this process, read at each scrape. */
export function observeProcess(): void {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  observeGauge(
    "hookrail.process.memory.rss",
    "Resident set size of the process",
    () => [{ value: process.memoryUsage.rss() }],
    "By",
  );
  observeGauge(
    "hookrail.process.memory.heap_used",
    "V8 heap in use",
    () => [{ value: process.memoryUsage().heapUsed }],
    "By",
  );
  observeGauge(
    "hookrail.event_loop.delay.p99",
    "99th percentile of event-loop delay since the last scrape",
    () => {
      const p99 = loop.percentile(99) / 1e9;
      loop.reset();
      return [{ value: Number.isFinite(p99) ? p99 : 0 }];
    },
    "s",
  );
  const cpu = metrics.getMeter("hookrail").createObservableCounter("hookrail.process.cpu.time", {
    description: "CPU time used by the process, by mode",
    unit: "s",
  });
  cpu.addCallback((result) => {
    const { user, system } = process.cpuUsage();
    result.observe(user / 1e6, { mode: "user" });
    result.observe(system / 1e6, { mode: "system" });
  });
}
