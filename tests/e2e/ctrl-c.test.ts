import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/cluster.js";

// Ctrl-C in a terminal running `pnpm start` sends SIGINT to the launcher and every service (one
// process group); the launcher then sends each service SIGTERM. That is one request to stop, not
// two: each service must still stop gracefully (exit 0).
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ services: ["gateway"] });
}, 90_000);

afterAll(async () => {
  await cluster?.destroy();
});

describe("stopping from a terminal", () => {
  it("a SIGINT followed by the launcher's SIGTERM stops gracefully (exit 0)", async () => {
    const gateway = cluster.processes.get("gateway");
    if (!gateway) throw new Error("no gateway");
    gateway.child.kill("SIGINT");
    gateway.child.kill("SIGTERM");
    expect(await gateway.exited).toBe(0);
  });
});
