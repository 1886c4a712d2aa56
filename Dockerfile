# hubgate server image. It talks to the host's Docker engine through its socket:
#   docker run -v /var/run/docker.sock:/var/run/docker.sock -e APP_ID=... -e PRIVATE_KEY=... hubgate
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY schemas ./schemas
RUN npm ci --ignore-scripts && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 HUBGATE_DATA_DIR=/data
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json app.yml ./
COPY schemas ./schemas
VOLUME /data
EXPOSE 3000
# Runs as root: the engine socket it drives is root-equivalent anyway, and owned by root.
# node directly (no npx/npm in between): SIGTERM reaches the server, which drains and exits.
CMD ["node", "dist/server.js"]
