#!/usr/bin/env node
// First-run seed of `docker compose up` (the `seed` one-shot in compose.yaml): a demo GitHub
// source with a fixed, documented secret, and a subscription that delivers everything to the
// demo subscriber, so that docs/compose.md's curl works at once. Idempotent: it looks before it
// creates, so every `docker compose up` may run it again. Plain Node (fetch), no dependencies.
//
// Environment (compose.yaml sets it):
//   GATEWAY_URL            the gateway's base URL (http://gateway:8080)
//   ADMIN_API_KEY          the gateway's bootstrap admin key
//   DEMO_SOURCE_SECRET     the demo source's GitHub signing secret
//   DEMO_SUBSCRIBER_URL    where the demo subscription delivers (http://demo-subscriber:8080/hooks)
//   ALERTMANAGER_TOKEN_FILE the bearer token Alertmanager sends (optional, see below)
import { readFileSync } from "node:fs";

const DEMO_SOURCE_NAME = "demo (github)";
const ALERTMANAGER_SOURCE_ID = "src_alertmanager";

const env = (name, fallback) => {
  const value = process.env[name] || fallback;
  if (value === undefined) {
    console.error(`seed: ${name} is not set`);
    process.exit(78);
  }
  return value;
};
const gateway = env("GATEWAY_URL", "http://gateway:8080");
const adminKey = env("ADMIN_API_KEY");
const demoSecret = env("DEMO_SOURCE_SECRET", "hookrail-demo-secret");
const subscriberUrl = env("DEMO_SUBSCRIBER_URL", "http://demo-subscriber:8080/hooks");
const tokenFile = process.env.ALERTMANAGER_TOKEN_FILE;

async function api(method, path, body) {
  const res = await fetch(new URL(path, gateway), {
    method,
    headers: {
      authorization: `Bearer ${adminKey}`,
      ...(body ? { "content-type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** The gateway answers once its database and NATS are up; wait for it (compose starts us early). */
async function waitForGateway(deadlineMs) {
  let last = "no answer";
  while (Date.now() < deadlineMs) {
    try {
      const res = await api("GET", "/api/v1/sources");
      if (res.status === 200) return;
      last = `${res.status} ${res.text.slice(0, 200)}`;
      if (res.status === 401 || res.status === 403) break;
    } catch (error) {
      last = error.message;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`the gateway at ${gateway} did not answer GET /api/v1/sources: ${last}`);
}

async function ensureDemoSource() {
  const list = await api("GET", "/api/v1/sources");
  const found = list.json?.data?.find((s) => s.name === DEMO_SOURCE_NAME);
  if (found) return { id: found.id, created: false };
  const res = await api("POST", "/api/v1/sources", {
    name: DEMO_SOURCE_NAME,
    provider: "github",
    secret: demoSecret,
  });
  if (res.status !== 201) throw new Error(`creating the demo source: ${res.status} ${res.text}`);
  return { id: res.json.id, created: true };
}

async function ensureDemoSubscription() {
  const list = await api("GET", "/api/v1/subscriptions");
  const found = list.json?.data?.find((s) => s.url === subscriberUrl);
  if (found) return { id: found.id, created: false };
  const res = await api("POST", "/api/v1/subscriptions", {
    url: subscriberUrl,
    eventTypes: ["*"],
  });
  if (res.status !== 201)
    throw new Error(`creating the demo subscription: ${res.status} ${res.text}`);
  return { id: res.json.id, created: true };
}

/**
 * Alertmanager posts its notifications to the source src_alertmanager with a bearer token (it
 * cannot sign a body). That needs the gateway's `alertmanager` provider and a source created
 * under a chosen id; a gateway without them refuses, and alerts then reach alert-sink only.
 */
async function ensureAlertmanagerSource() {
  if (!tokenFile) return "skipped (no ALERTMANAGER_TOKEN_FILE)";
  const list = await api("GET", "/api/v1/sources");
  if (list.json?.data?.some((s) => s.id === ALERTMANAGER_SOURCE_ID)) return "present";
  const token = readFileSync(tokenFile, "utf8").trim();
  const res = await api("POST", "/api/v1/sources", {
    id: ALERTMANAGER_SOURCE_ID,
    name: "alertmanager",
    provider: "alertmanager",
    secret: token,
  });
  if (res.status === 201) return "created";
  return `not supported by this gateway (${res.status}); alerts go to alert-sink only`;
}

try {
  await waitForGateway(Date.now() + 120_000);
  const source = await ensureDemoSource();
  const subscription = await ensureDemoSubscription();
  const alertmanager = await ensureAlertmanagerSource();
  const verb = (x) => (x.created ? "created" : "present");
  console.log(`seed: demo source ${source.id} (${verb(source)}), provider github`);
  console.log(
    `seed: demo subscription ${subscription.id} (${verb(subscription)}) → ${subscriberUrl}`,
  );
  console.log(`seed: alertmanager source ${ALERTMANAGER_SOURCE_ID}: ${alertmanager}`);
  console.log(
    `seed: send a webhook with the secret in docs/compose.md to /api/v1/webhooks/${source.id}`,
  );
} catch (error) {
  console.error(`seed: ${error.message}`);
  process.exit(1);
}
