import { randomBytes } from "node:crypto";
import { topology as makeTopology, type Topology } from "@hookrail/contracts";
import { type Database, openDatabase } from "@hookrail/event-store";
import { prepareInfrastructure } from "@hookrail/launcher";
import { consumerBacklogs } from "@hookrail/messaging";
import { createLogger } from "@hookrail/observability";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Kysely } from "kysely";
import { apiClient } from "../../support/api.js";
import { freePort } from "../../support/ports.js";
import { type CaseSubscription, check, type Verdict } from "./checker.js";
import { LoadGenerator } from "./load.js";
import { type NatsNode, startNats } from "./nats-server.js";
import { type CaseOutcome, type FinishOptions, finishCase } from "./outcome.js";
import { PostgresServer } from "./postgres.js";
import { removeDir, Teardown, tempDir, waitFor } from "./processes.js";
import { ToxicProxy } from "./proxy.js";
import { scale } from "./scale.js";
import { type Instance, Services } from "./services.js";
import type { StoreSnapshot } from "./store.js";
import { RecordingSubscriber } from "./subscriber.js";

export interface HarnessOptions {
  /** Case number (the table's order) and name. */
  order: number;
  name: string;
  /** nats-server processes: 1, or 3 for a cluster. */
  natsNodes?: number;
  /** Put a ToxicProxy between the services and NATS, and between the services and Postgres. */
  proxies?: boolean;
  /** Instances to run; default one gateway, one processor, one notifier. */
  instances?: Instance[];
  /** Extra environment of every service. */
  env?: Record<string, string>;
  /** Runs after NATS and Postgres are up, before anything declares the topology. */
  beforeServices?: (h: Harness) => Promise<void>;
}

// Teardowns of the cases in progress; the setup file runs them after each case.
const pending: Teardown[] = [];

/** Undoes every case still set up: kills its processes and removes its directories. */
export async function tearDownCases(): Promise<void> {
  for (const t of pending.splice(0)) await t.run();
}

/**
 * Everything one fault case runs on, owned by the case: nats-server(s) and a Postgres cluster
 * of its own (optionally behind toxic proxies), the three services as processes, a source, two
 * subscriptions and the subscriber, a load generator, and the checker.
 */
export class Harness {
  readonly teardown = new Teardown();
  readonly notes: string[] = [];
  readonly prefix = `f${randomBytes(4).toString("hex")}`;
  readonly topology: Topology = makeTopology(this.prefix);
  readonly subscriber = new RecordingSubscriber();
  readonly startedAt = Date.now();
  dir = "";
  nats: NatsNode[] = [];
  pg!: PostgresServer;
  proxies: { nats: ToxicProxy; pg: ToxicProxy } | undefined;
  /** The suite's own connection to NATS, straight to the servers (never through a proxy). */
  nc!: NatsConnection;
  /** The suite's own pool on the case's database, straight to Postgres. */
  db!: Kysely<Database>;
  services!: Services;
  gatewayUrl = "";
  adminKey = `hr_fault_${randomBytes(16).toString("hex")}`;
  source = { id: "", secret: "" };
  subscriptions: CaseSubscription[] = [];
  load: LoadGenerator | undefined;
  /** Case-specific requirements, each with what it checked; all must hold. */
  readonly requirements: Array<{ ok: boolean; what: string }> = [];

  private constructor(readonly options: HarnessOptions) {
    pending.push(this.teardown);
  }

  static async start(options: HarnessOptions): Promise<Harness> {
    const h = new Harness(options);
    await h.#start();
    return h;
  }

  get databaseUrl(): string {
    return this.pg.url.replace(/\/postgres$/, "/hookrail");
  }

  async #start(): Promise<void> {
    const t = this.teardown;
    this.dir = await tempDir(this.prefix);
    t.add("temp dir", () => removeDir(this.dir));
    const [pg, nats] = await Promise.all([
      PostgresServer.start(this.dir),
      startNats(this.dir, this.options.natsNodes ?? 1),
    ]);
    this.pg = pg;
    this.nats = nats;
    t.add("postgres", () => this.pg.stop());
    t.add("nats", async () => void (await Promise.all(this.nats.map((n) => n.kill()))));
    this.nc = await connect({
      servers: this.nats.map((n) => n.url),
      name: "fault-harness",
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      waitOnFirstConnect: true,
    });
    t.add("nats connection", () => this.nc.close());
    // A cluster answers JetStream requests only once it has elected a meta leader.
    const ready = await waitFor(async () => {
      await (await jetstreamManager(this.nc, { timeout: 1000 })).getAccountInfo();
      return true;
    }, 30_000);
    if (!ready) throw new Error("JetStream did not become ready");

    let natsUrls = this.nats.map((n) => n.url);
    let databaseUrl = this.databaseUrl;
    if (this.options.proxies) {
      const first = this.nats[0] as NatsNode;
      this.proxies = {
        nats: new ToxicProxy("nats", first.port),
        pg: new ToxicProxy("postgres", this.pg.port),
      };
      t.add("proxies", async () => {
        await this.proxies?.nats.close();
        await this.proxies?.pg.close();
      });
      await this.proxies.nats.start();
      await this.proxies.pg.start();
      natsUrls = [`nats://${this.proxies.nats.url}`];
      databaseUrl = databaseUrl.replace(`:${this.pg.port}/`, `:${this.proxies.pg.port}/`);
    }

    await this.options.beforeServices?.(this);
    await prepareInfrastructure(
      {
        NATS_URL: this.nats.map((n) => n.url),
        NATS_PREFIX: this.prefix,
        DATABASE_URL: this.databaseUrl,
        LOG_LEVEL: "warn",
        DATABASE_POOL_SIZE: 1,
        // Declared as the services will declare them (case 10 runs R3 streams).
        NATS_STREAM_REPLICAS: Number(this.options.env?.NATS_STREAM_REPLICAS ?? 1),
      },
      createLogger({ service: "fault-harness", level: "warn" }),
    );
    const store = openDatabase({
      url: this.databaseUrl,
      poolSize: 2,
      applicationName: "fault-checker",
      onPoolError: () => undefined,
    });
    this.db = store.db;
    t.add("database pool", () => store.close());

    const port = await freePort();
    this.gatewayUrl = `http://127.0.0.1:${port}`;
    this.services = new Services({
      PATH: process.env.PATH ?? "",
      NATS_URL: natsUrls.join(","),
      NATS_PREFIX: this.prefix,
      DATABASE_URL: databaseUrl,
      ADMIN_API_KEY: this.adminKey,
      PORT: String(port),
      DELIVERY_ALLOWED_CIDRS: "127.0.0.0/8",
      DELIVERY_RETRY_SCHEDULE: scale.retrySchedule,
      RETRY_POLL_INTERVAL: "200ms",
      CIRCUIT_OPEN: "2s",
      RETRY_AFTER_SECONDS: "1",
      // Secrets sealed at rest, as in production; the admin API is called from one address.
      SECRETS_ENCRYPTION_KEYS: `v1:${randomBytes(32).toString("base64")}`,
      RATE_LIMIT_API_KEY_PER_SECOND: "0",
      LOG_LEVEL: "info",
      ...this.options.env,
    });
    t.add("services", async () => {
      await this.services.killAll();
      // FAULT_LOG_DIR keeps every service's log of every case, for a post-mortem.
      const logDir = process.env.FAULT_LOG_DIR;
      if (logDir) await this.services.dump(logDir, `${this.options.order}-${this.prefix}`);
    });
    const instances = this.options.instances ?? ["gateway", "processor", "notifier"];
    await Promise.all(instances.map((i) => this.services.start(i)));

    await this.subscriber.up();
    t.add("subscriber", () => this.subscriber.down());
    await this.#registerTenant();
  }

  async #registerTenant(): Promise<void> {
    const api = apiClient(this.gatewayUrl, this.adminKey);
    const source = await api.post<{ id: string; secret: string }>("/api/v1/sources", {
      name: "fault load",
      provider: "github",
    });
    if (source.status !== 201) throw new Error(`creating the source: ${source.text}`);
    this.source = source.body;
    for (const [path, eventTypes] of [
      ["/all", ["*"]],
      ["/even", ["order.even"]],
    ] as const) {
      const sub = await api.post<{ id: string }>("/api/v1/subscriptions", {
        url: this.subscriber.url(path),
        eventTypes,
      });
      if (sub.status !== 201) throw new Error(`creating a subscription: ${sub.text}`);
      this.subscriptions.push({ id: sub.body.id, path, eventTypes: [...eventTypes] });
    }
  }

  /** Records a case-specific requirement; a false one fails the case (and shows in its notes). */
  require(ok: boolean, what: string): void {
    this.requirements.push({ ok, what });
    if (!ok) this.notes.push(`FAILED: ${what}`);
  }

  /** Starts the steady load for `durationMs`. */
  startLoad(durationMs: number): LoadGenerator {
    const load = new LoadGenerator({
      gatewayUrl: this.gatewayUrl,
      source: this.source,
      runId: this.prefix,
      ratePerSecond: scale.ratePerSecond,
      requestTimeoutMs: 15_000,
      graceMs: scale.senderGraceMs,
    });
    this.load = load;
    this.teardown.add("load", () => load.abort());
    load.start(durationMs);
    return load;
  }

  /** The durable consumers' backlogs, asked of the case's own NATS. */
  backlogs() {
    return consumerBacklogs(this.nc, Object.values(this.topology.consumers), 2000);
  }

  /**
   * Waits for the sender to finish and the pipeline to drain, then checks and records the case
   * (see finishCase).
   */
  finish(options: FinishOptions = {}): Promise<CaseOutcome> {
    return finishCase(this, options);
  }

  /** The checker's verdict on `store` and what the sender and subscriber saw so far. */
  verdict(store: StoreSnapshot): Verdict {
    return check({
      sent: this.load?.sent.values() ?? [],
      store,
      receipts: this.subscriber.receipts,
      subscriptions: this.subscriptions,
    });
  }

  /** What to show when a case fails: the services' error lines and log tails. */
  diagnostics(): string {
    const errors = this.services.errorLines().slice(-20);
    return [`error lines (${errors.length}):`, ...errors, this.services.tail()].join("\n");
  }
}
