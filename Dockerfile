# hubgate: one image for both roles, `hubgate gateway` (the default command) and `hubgate worker`.
#   docker build -t hubgate .                                 # where Docker Hub is reachable
#   docker build --build-arg NODE_IMAGE=$(bash scripts/make-node-image.sh) -t hubgate .   # offline
# scripts/make-node-image.sh makes a local node:<major>-bookworm-slim stand-in (Debian mirror +
# this host's Node), so nothing is pulled. See README "Deploying" for how the roles are run.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles its addon here: its prebuilt binaries come from GitHub, which an
# offline build cannot reach. The toolchain stays in this stage.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are here; only the native addon
# needs its install script.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY schemas ./schemas
COPY src ./src
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 HUBGATE_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json app.yml ./
COPY schemas ./schemas
RUN mkdir -p /data && chown node:node /data
# Not root: a build or smoke container that escaped would not find root in here. The engine it
# drives is reached over DOCKER_HOST (a worker's own engine) or a mounted socket with
# `--group-add <socket group>`.
USER node
VOLUME /data
EXPOSE 3000
# Both roles answer /healthz on PORT; node does the probe (the base may have no curl or wget).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node directly (no npm, no shell): SIGTERM from `docker stop` reaches hubgate itself.
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["gateway"]
