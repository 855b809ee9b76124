# releasebot container image. Build: docker build -t releasebot .
# Run:  docker run -p 8080:8080 -v releasebot-data:/var/lib/releasebot -e RELEASEBOT_API_TOKEN=... releasebot
# Config: /etc/releasebot/releasebot.yaml (examples/container.yaml, driven by environment
# variables); mount your own file there, or point RELEASEBOT_CONFIG at another path.
# docs/operations.md ("Container image") has the details. scripts/container-steps.mjs runs these
# same steps without a Docker daemon (CI does, see .ci/run).

# Node 22, not 24: better-sqlite3 12.x (pinned while development machines run Node 20) can abort
# a Node 24 process in a statement finalizer; docs/operations.md, "Known issue on Node 24".
ARG NODE_VERSION=22

# --- build: compile TypeScript, then keep only the production dependencies -------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
# better-sqlite3 compiles from source when its prebuilt binary cannot be downloaded.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
COPY scripts/trim-install.mjs scripts/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs scripts/
COPY src/ src/
RUN npm run build
# Production dependencies only, without compiler output, type declarations and source maps.
RUN npm prune --omit=dev --no-audit --no-fund && npm_config_omit=dev npm_config_local_prefix="$PWD" node scripts/trim-install.mjs
RUN mkdir -p data

# --- runtime: compiled JavaScript and production dependencies, run as a non-root user --------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    RELEASEBOT_CONFIG=/etc/releasebot/releasebot.yaml \
    RELEASEBOT_PORT=8080
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
# stops taking work, flushes the outbox, closes the store and exits 0 (docs/operations.md).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.RELEASEBOT_PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/releasebot.js"]
CMD ["serve"]
