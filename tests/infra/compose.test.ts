import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { dotenv, loadCompose, rawCompose } from "./support/compose.js";
import { alertRules, ROOT, readYaml } from "./support/repo.js";

// compose.yaml (`docker compose up`) without a Docker engine: valid against the Compose
// specification's schema, every image pinned in .env, and consistent with the configs it
// mounts and the Prometheus jobs that scrape it.

const compose = loadCompose();
const raw = rawCompose();
const env = dotenv();
const services = Object.entries(compose.services);
const HOOKRAIL = ["gateway", "processor", "notifier", "backup-agent"];
const OPS_PORTS: Record<string, number> = {
  gateway: 9464,
  processor: 9465,
  notifier: 9466,
  "backup-agent": 9467,
};

// Exact versions: major.minor.patch (an optional leading v, an optional -variant), except
// where a project numbers its releases otherwise: PostgreSQL as major.minor since 10, the echo
// image with one integer.
const EXACT_TAG = /^v?\d+\.\d+\.\d+(-[A-Za-z0-9.]+)*$/;
const OTHER_SCHEMES: Record<string, RegExp> = {
  POSTGRES_IMAGE: /^\d+\.\d+$/,
  ECHO_IMAGE: /^\d+$/,
};

describe("compose.yaml", () => {
  it("is valid against the Compose specification's JSON schema", () => {
    const schema = JSON.parse(
      readFileSync(join(ROOT, "infra/compose-spec/compose-spec.json"), "utf8"),
    ) as object;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const ok = validate(compose);
    expect(ok, ajv.errorsText(validate.errors, { separator: "\n" })).toBe(true);
  });

  it("fails the schema on a misspelt key (the check is not vacuous)", () => {
    const schema = JSON.parse(
      readFileSync(join(ROOT, "infra/compose-spec/compose-spec.json"), "utf8"),
    ) as object;
    const validate = new Ajv2020({ strict: false }).compile(schema);
    const broken = structuredClone(compose);
    (broken.services.gateway as Record<string, unknown>).depend_on = ["nats"];
    expect(validate(broken)).toBe(false);
  });

  it("pins every image to an exact version from .env", () => {
    for (const [name, service] of Object.entries(raw.services)) {
      const m = /^\$\{([A-Z_]+)\}$/.exec(service.image ?? "");
      expect(
        m,
        `${name}: image must be \${SOME_IMAGE} from .env, not ${service.image}`,
      ).toBeTruthy();
      const variable = m?.[1] ?? "";
      const image = env[variable];
      expect(image, `${variable} is not in .env`).toBeDefined();
      const tag = /^[^@\s]+:([^:@/\s]+)$/.exec(image ?? "")?.[1];
      expect(tag, `${variable}=${image} has no tag`).toBeDefined();
      expect(tag).not.toMatch(/latest|stable|edge|main/);
      expect(tag, `${variable}=${image} is not an exact version`).toMatch(
        OTHER_SCHEMES[variable] ?? EXACT_TAG,
      );
    }
  });

  it("gives every service a memory limit", () => {
    for (const [name, service] of services)
      expect(service.deploy?.resources?.limits?.memory, name).toMatch(/^\d+[MG]$/);
  });

  it("waits for dependencies with conditions, and only on services that have a healthcheck", () => {
    const ownImage = env.HOOKRAIL_IMAGE;
    for (const [name, service] of services) {
      for (const [dep, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(compose.services[dep], `${name} depends on unknown ${dep}`).toBeDefined();
        expect(["service_healthy", "service_started", "service_completed_successfully"]).toContain(
          condition,
        );
        if (condition !== "service_healthy") continue;
        const target = compose.services[dep];
        // Hookrail's image has a HEALTHCHECK of its own (Dockerfile).
        const checked = target?.healthcheck?.test || target?.image === ownImage;
        expect(checked && !target?.healthcheck?.disable, `${dep} has no healthcheck`).toBeTruthy();
      }
    }
    for (const dep of ["nats", "postgres"])
      expect(compose.services.processor?.depends_on?.[dep]?.condition).toBe("service_healthy");
  });

  it("runs each Hookrail service from the one image, with its name, ops port and telemetry", () => {
    for (const name of HOOKRAIL) {
      const service = compose.services[name];
      expect(service?.image, name).toBe(env.HOOKRAIL_IMAGE);
      expect(service?.command).toEqual([
        "node",
        "--enable-source-maps",
        "--import",
        `./services/${name}/dist/instrument.js`,
        `services/${name}/dist/main.js`,
      ]);
      expect(service?.environment?.OTEL_SERVICE_NAME).toBe(name);
      expect(service?.environment?.OTEL_EXPORTER_OTLP_ENDPOINT).toBe("http://jaeger:4318");
      expect(service?.environment?.METRICS_PORT).toBe(String(OPS_PORTS[name]));
      expect(service?.environment?.NATS_URL).toBe("nats://nats:4222");
    }
    expect(compose.services.seed?.command).toEqual(["node", "scripts/infra/seed.mjs"]);
  });

  it("is scraped by Prometheus where the services and exporters listen", () => {
    const prometheus = readYaml<{
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
    }>("infra/prometheus/prometheus.yml");
    for (const job of prometheus.scrape_configs) {
      for (const target of job.static_configs.flatMap((s) => s.targets)) {
        const [host, port] = target.split(":");
        if (host === "localhost") continue;
        expect(compose.services[host ?? ""], `${job.job_name}: no service ${host}`).toBeDefined();
        if (HOOKRAIL.includes(host ?? "")) {
          expect(job.job_name).toBe(host);
          expect(compose.services[host ?? ""]?.environment?.METRICS_PORT).toBe(port);
        }
      }
    }
  });

  it("publishes the documented ports on 127.0.0.1 only", () => {
    const published = services.flatMap(([, s]) => s.ports ?? []);
    for (const p of published) expect(p).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    expect(published).toEqual(
      expect.arrayContaining([
        "127.0.0.1:8080:8080",
        "127.0.0.1:16686:16686",
        "127.0.0.1:3000:3000",
        "127.0.0.1:9090:9090",
        "127.0.0.1:9093:9093",
      ]),
    );
  });

  it("mounts configs that exist in the repository", () => {
    for (const [name, service] of services)
      for (const volume of service.volumes ?? []) {
        const source = volume.split(":")[0] ?? "";
        if (source.startsWith("./"))
          expect(existsSync(join(ROOT, source)), `${name}: ${source}`).toBe(true);
      }
  });

  it("limits each service to the memory HighMemory assumes (alert at about 80%)", () => {
    const rule = alertRules().find((r) => r.alert === "HighMemory");
    expect(rule?.expr).toContain("400 * 1024 * 1024");
    for (const name of HOOKRAIL)
      expect(compose.services[name]?.deploy?.resources?.limits?.memory).toBe("512M");
  });
});

describe("Dockerfile", () => {
  const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
  const packageManager = (
    JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { packageManager: string }
  ).packageManager;

  it("builds on the pinned Node 24 slim image with the repository's pnpm", () => {
    expect(env.NODE_IMAGE).toMatch(/^node:24\.\d+\.\d+-([a-z]+-)?slim$/);
    expect(`pnpm@${env.PNPM_VERSION}`).toBe(packageManager);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=/m);
    expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\} AS build$/m);
    expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\} AS runtime$/m);
    expect(dockerfile).toContain("pnpm install --frozen-lockfile --offline");
    expect(dockerfile).toContain("pnpm build");
  });

  it("runs as a non-root user, with a healthcheck and graceful SIGTERM", () => {
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n\s+CMD \["node", "-e", ".*\/healthz/m);
    expect(dockerfile).toMatch(/^STOPSIGNAL SIGTERM$/m);
  });
});

describe("configs for the containers", () => {
  it("nats.conf: JetStream on a file store, fsync always, a 2 MB max_payload, monitoring on 8222", () => {
    const conf = readFileSync(join(ROOT, "infra/nats/nats.conf"), "utf8");
    expect(conf).toMatch(/^\s*sync_interval: always$/m);
    expect(conf).toMatch(/^\s*store_dir: \/data\/jetstream$/m);
    expect(conf).toMatch(/^max_payload: 2MB$/m);
    expect(conf).toMatch(/^http: 0\.0\.0\.0:8222$/m);
  });

  it("the seed script is valid JavaScript", () => {
    const r = spawnSync(process.execPath, ["--check", join(ROOT, "scripts/infra/seed.mjs")], {
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
  });
});
