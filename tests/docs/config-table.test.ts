import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { commonEnv } from "../../packages/config/src/index.js";
import { TelemetryEnv } from "../../packages/observability/src/env.js";
import {
  type ConfigSchemas,
  DOCUMENT,
  expectedDocument,
  renderConfigTable,
  type SchemaLike,
  sections,
  variablesOf,
} from "../../scripts/docs/config-table.js";
import { BackupAgentEnv } from "../../services/backup-agent/src/env.js";
import { GatewayEnv } from "../../services/gateway/src/env.js";
import { NotifierEnv } from "../../services/notifier/src/env.js";
import { ProcessorEnv } from "../../services/processor/src/env.js";

// The configuration table in docs/configuration.md is generated from the zod schemas the services
// parse their environment with (`pnpm docs:config`). Here the same rendering runs on the
// TypeScript sources, so a changed variable, default or description fails until the table is
// regenerated.

const schemas: ConfigSchemas = {
  commonEnv: commonEnv as unknown as Record<string, SchemaLike>,
  services: [
    { name: "gateway", schema: GatewayEnv as unknown as SchemaLike },
    { name: "processor", schema: ProcessorEnv as unknown as SchemaLike },
    { name: "notifier", schema: NotifierEnv as unknown as SchemaLike },
    { name: "backup-agent", schema: BackupAgentEnv as unknown as SchemaLike },
  ],
  telemetry: TelemetryEnv as unknown as SchemaLike,
};
const committed = readFileSync(DOCUMENT, "utf8");

describe("the configuration table", () => {
  it("is current: docs/configuration.md equals what `pnpm docs:config` writes", () => {
    expect(committed, "docs/configuration.md is out of date: run `pnpm docs:config`").toBe(
      expectedDocument(committed, schemas),
    );
  });

  it("lists every variable of every schema, each with a description", () => {
    const listed = sections(schemas).flatMap((s) => s.variables);
    for (const v of listed) expect(v.description, `${v.name} has no .describe()`).toBeTruthy();
    const names = new Set(listed.map((v) => v.name));
    for (const key of [
      ...Object.keys(GatewayEnv.shape),
      ...Object.keys(ProcessorEnv.shape),
      ...Object.keys(NotifierEnv.shape),
      ...Object.keys(TelemetryEnv.shape),
    ])
      expect(names, key).toContain(key);
    for (const v of ["ADMIN_API_KEY", "DELIVERY_ALLOWED_CIDRS", "BACKUP_DIR", "NATS_URL"])
      expect(committed).toContain(`\`${v}\``);
  });

  it("reads defaults and requiredness from the schemas", () => {
    const gateway = variablesOf(GatewayEnv as unknown as SchemaLike);
    const byName = new Map(gateway.map((v) => [v.name, v]));
    expect(byName.get("PORT")).toMatchObject({ default: "8080", required: false });
    expect(byName.get("ADMIN_API_KEY")).toMatchObject({ default: undefined, required: false });
    expect(byName.get("NATS_URL")?.default).toBe("nats://127.0.0.1:4222");
    expect(byName.get("DELIVERY_ALLOWED_CIDRS")?.default).toBe("(empty)");
    const notifier = new Map(
      variablesOf(NotifierEnv as unknown as SchemaLike).map((v) => [v.name, v]),
    );
    expect(notifier.get("DELIVERY_RETRY_SCHEDULE")?.default).toBe(
      "5s,5m,30m,2h,5h,10h,10h,24h,24h",
    );
    expect(notifier.get("DELIVERY_TIMEOUT")?.default).toBe("15s");
  });

  it("fails on a drifted schema: a changed default or description changes the table", () => {
    const drift = (shape: Record<string, unknown>) => ({
      ...schemas,
      services: [
        { name: "gateway", schema: GatewayEnv.extend(shape) as unknown as SchemaLike },
        ...schemas.services.slice(1),
      ],
    });
    // PORT with another default (METRICS_PORT's schema), and PORT with another description.
    const otherDefault = drift({ PORT: GatewayEnv.shape.METRICS_PORT });
    const otherText = drift({ PORT: GatewayEnv.shape.PORT.describe("Another text.") });
    for (const changed of [otherDefault, otherText]) {
      expect(renderConfigTable(changed)).not.toBe(renderConfigTable(schemas));
      expect(expectedDocument(committed, changed)).not.toBe(committed);
    }
  });

  it("describes every telemetry variable in its schema", () => {
    for (const [name, field] of Object.entries(TelemetryEnv.shape)) {
      if (name === "METRICS_PORT" || name === "LOG_LEVEL") continue; // the services' own rows
      expect(field.description, name).toBeTruthy();
    }
  });
});
