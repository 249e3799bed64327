import { describe, expect, it } from "vitest";
import { metricNames, selectors } from "./promql.js";

describe("selectors", () => {
  it("reads names and matchers, skipping functions, label lists, ranges and numbers", () => {
    const expr = `histogram_quantile(0.95,
      sum by (job, http_route, le) (rate(http_server_request_duration_bucket{job="gateway", http_response_status_code=~"5.."}[$__rate_interval]))
    ) > 1`;
    expect(selectors(expr)).toEqual([
      {
        metric: "http_server_request_duration_bucket",
        matchers: [
          { label: "job", op: "=", value: "gateway" },
          { label: "http_response_status_code", op: "=~", value: "5.." },
        ],
      },
    ]);
  });

  it("handles binary operators, set operators, offset and grouping modifiers", () => {
    const expr = `increase(hookrail_dead_letters_total[10m]) > 0
      or (hookrail_dead_letters_total unless hookrail_dead_letters_total offset 10m)
      or on (job) group_left (instance) up == bool 0
      and max by (stream, consumer) (deriv(hookrail_consumer_pending[10m])) >= 0
      and time() - hookrail_backup_last_success_timestamp > 26 * 3600`;
    expect([...metricNames(expr)]).toEqual([
      "hookrail_dead_letters_total",
      "up",
      "hookrail_consumer_pending",
      "hookrail_backup_last_success_timestamp",
    ]);
  });

  it("handles aggregation modifiers after the argument, comments, and __name__ selectors", () => {
    const expr = `sum(rate(a_total[5m])) by (job) # a comment with b_total
      / ignoring(state) {__name__="c_gauge", state!="idle"}`;
    expect(selectors(expr)).toEqual([
      { metric: "a_total", matchers: [] },
      { metric: "c_gauge", matchers: [{ label: "state", op: "!=", value: "idle" }] },
    ]);
  });
});
