import { describe, expect, it } from "vitest";
import { ROOT, readYaml } from "./support/repo.js";
import { runTool } from "./support/tools.js";

// infra/alertmanager/alertmanager.yml, checked with Debian's amtool.

const CONFIG = "infra/alertmanager/alertmanager.yml";

interface AlertmanagerConfig {
  route: { receiver: string };
  receivers: Array<{
    name: string;
    webhook_configs?: Array<{
      url: string;
      send_resolved?: boolean;
      http_config?: { authorization?: { type?: string; credentials_file?: string } };
    }>;
  }>;
}

describe("alertmanager.yml", () => {
  it("passes amtool check-config", () => {
    const r = runTool("amtool", ["check-config", CONFIG], ROOT);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("SUCCESS");
  });

  it.each([
    ["severity=page", "alertname=BrokerDisconnected"],
    ["severity=warn", "alertname=HighLatency"],
  ])("routes %s alerts to the Hookrail receiver", (...labels) => {
    const r = runTool(
      "amtool",
      ["config", "routes", "test", `--config.file=${CONFIG}`, ...labels],
      ROOT,
    );
    expect(r.code, r.output).toBe(0);
    expect(r.stdout.trim()).toBe("hookrail-ops");
  });

  it("sends resolved notifications too, to the offline sink and to the gateway with a bearer token", () => {
    const config = readYaml<AlertmanagerConfig>(CONFIG);
    const hooks = config.receivers.flatMap((r) => r.webhook_configs ?? []);
    expect(hooks.length).toBeGreaterThan(0);
    for (const hook of hooks) expect(hook.send_resolved, hook.url).toBe(true);
    expect(hooks.map((h) => new URL(h.url).host)).toEqual(["alert-sink:8080", "gateway:8080"]);
    const gateway = hooks.find((h) => new URL(h.url).host === "gateway:8080");
    expect(new URL(gateway?.url ?? "").pathname).toBe("/api/v1/webhooks/src_alertmanager");
    expect(gateway?.http_config?.authorization).toEqual({
      type: "Bearer",
      credentials_file: "/run/secrets/alertmanager_token",
    });
  });
});
