# syntax=docker/dockerfile:1
# One image for every Hookrail service. The command picks the service (compose.yaml does):
#   node --import ./services/<name>/dist/instrument.js services/<name>/dist/main.js
# Build: docker compose build   (or: docker build -t hookrail:0.1.0 .)
ARG NODE_IMAGE=node:24.21.0-trixie-slim
ARG NATS_IMAGE=nats:2.11.9-alpine

# The nats-server the backup agent starts to verify a backup by restoring it (level 3): the
# same release as the broker compose.yaml runs.
FROM ${NATS_IMAGE} AS nats

# ── build: install from the lockfile, compile, then keep production dependencies only ──
FROM ${NODE_IMAGE} AS build
ARG PNPM_VERSION=10.34.9
ENV CI=true PNPM_HOME=/pnpm PATH=/pnpm:$PATH npm_config_store_dir=/pnpm/store
RUN npm install --global --no-audit --no-fund "pnpm@${PNPM_VERSION}"
WORKDIR /app
# The lockfile alone decides what is downloaded, so this layer is reused until it changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN pnpm fetch --frozen-lockfile
COPY . .
RUN pnpm install --frozen-lockfile --offline
RUN pnpm build
# Drop the dev dependencies (TypeScript, turbo, vitest, biome, type packages).
RUN find . -name node_modules -type d -prune -exec rm -rf {} + \
  && pnpm install --frozen-lockfile --offline --prod \
  && rm -rf /app/.turbo

# ── runtime: Node and the built workspace, as an unprivileged user ──
FROM ${NODE_IMAGE} AS runtime
ARG GIT_SHA=""
ENV NODE_ENV=production \
    GIT_SHA=${GIT_SHA} \
    BACKUP_DIR=/var/lib/hookrail/backups \
    HOOKRAIL_SKIP_BUILD=1
WORKDIR /app
# The backup agent runs pg_dump and pg_restore, which must be at least as new as the server
# (postgres 17 in compose.yaml); Debian trixie's client is 17. (HOOKRAIL_SKIP_BUILD: its CLI,
# services/backup-agent/bin/backup.mjs, runs the built code as it is.)
RUN apt-get update \
  && apt-get install -y --no-install-recommends postgresql-client-17 \
  && rm -rf /var/lib/apt/lists/* \
  && mkdir -p /var/lib/hookrail/backups && chown -R node:node /var/lib/hookrail
COPY --from=nats /usr/local/bin/nats-server /usr/local/bin/nats-server
COPY --from=build --chown=node:node /app /app
# The `node` user of the official image (uid 1000).
USER node
# Ops ports: gateway 9464, processor 9465, notifier 9466, backup-agent 9467; gateway HTTP 8080.
EXPOSE 8080 9464 9465 9466 9467
# Each service serves /healthz on its ops port (METRICS_PORT, which compose.yaml sets).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.METRICS_PORT ?? 9464}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The services stop intake, drain and exit on SIGTERM (docker stop, compose down).
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "--import", "./services/gateway/dist/instrument.js", "services/gateway/dist/main.js"]
