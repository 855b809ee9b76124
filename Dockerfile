# releasebot container image. Build: docker build -t releasebot .
# Run:  docker run -p 8080:8080 -v releasebot-data:/var/lib/releasebot -e RELEASEBOT_API_TOKEN=... releasebot
# Config: /etc/releasebot/releasebot.yaml (examples/container.yaml, driven by environment
# variables); mount your own file there, or point RELEASEBOT_CONFIG at another path.
# docs/operations.md ("Container image") has the details. scripts/container-steps.mjs runs these
# same steps without a Docker daemon (CI does, see .ci/run).

# Node 24 LTS: supported longest (to April 2028; 22 ends April 2027), and its built-in node:sqlite
# is the SQLite driver, so the image needs no native addon and no compiler. NODE_VERSION=22 works
# too (22.16 or later). docs/operations.md, "SQLite driver".
ARG NODE_VERSION=24

# --- build: compile TypeScript, then keep only the production dependencies -------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY scripts/trim-install.mjs scripts/
# --omit=optional: better-sqlite3, the SQLite driver for runtimes without node:sqlite, is not needed.
RUN npm ci --omit=optional --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs scripts/
COPY src/ src/
RUN npm run build
# Production dependencies only, without compiler output, type declarations and source maps.
RUN npm prune --omit=dev --omit=optional --no-audit --no-fund && npm_config_omit=dev npm_config_local_prefix="$PWD" node scripts/trim-install.mjs
RUN mkdir -p data

# --- runtime: compiled JavaScript and production dependencies, run as a non-root user --------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
# A stop fits `docker stop`'s 10 s: a running deploy step gets 5 s, then is handed over to the
# next start. With a longer grace period (docker run --stop-timeout, Kubernetes
# terminationGracePeriodSeconds) raise both (deploy/kubernetes sets 30 and 40 for its 45 s).
ENV NODE_ENV=production \
    RELEASEBOT_CONFIG=/etc/releasebot/releasebot.yaml \
    RELEASEBOT_PORT=8080 \
    RELEASEBOT_DRAIN_TIMEOUT=5 \
    RELEASEBOT_STOP_TIMEOUT=9
WORKDIR /app
COPY --from=build /src/node_modules node_modules/
COPY --from=build /src/dist dist/
COPY package.json LICENSE ./
COPY bin/ bin/
COPY examples/container.yaml /etc/releasebot/releasebot.yaml
# The SQLite store lives on this volume, owned by the unprivileged "node" user of the base image.
COPY --from=build --chown=node:node /src/data /var/lib/releasebot
VOLUME /var/lib/releasebot
USER node
EXPOSE 8080
# Docker's default stop signal (SIGTERM) reaches node directly (PID 1 is node, no shell): serve
# stops taking work, lets a running deploy step finish (RELEASEBOT_DRAIN_TIMEOUT above), flushes
# the outbox, closes the store and exits 0 (docs/operations.md).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.RELEASEBOT_PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/releasebot.js"]
CMD ["serve"]
