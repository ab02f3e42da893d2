# syntax=docker/dockerfile:1
# Scrible backend image. Node 24 runs the TypeScript sources directly (type
# stripping): one stage installs production dependencies, one builds the
# whiteboard (web/dist, needs the dev tools), and the final stage copies both with
# the sources and runs as `node`.
#
#   docker build -t scrible .
#   docker run --rm -e DATABASE_URL=... scrible node src/db/migrate-cli.ts   # one-shot migrations
#   docker run -p 3001:3001 -e DATABASE_URL=... -e REDIS_URL=... -e JWT_SECRET=... scrible

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
# --omit=dev also skips the "node" devDependency: the image's own Node 24 runs the app.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-slim AS web
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY web ./web
RUN npm run build

FROM node:24-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3001 \
    DATA_DIR=/app/data
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json package-lock.json tsconfig.json ./
COPY --chown=root:root src ./src
COPY --chown=root:root extensions ./extensions
COPY --chown=root:root drizzle ./drizzle
# The export renderer's fonts (SIL OFL 1.1, licences beside them), read at run time.
COPY --chown=root:root assets ./assets
COPY --from=web --chown=root:root /app/web/dist ./web/dist
# The code is read-only for the app user; only DATA_DIR (local exports) is writable.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3001
# No curl in slim images: Node's fetch does the probe.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3001)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node directly (not npm) so SIGTERM reaches the server, which stores every loaded room before exiting.
STOPSIGNAL SIGTERM
CMD ["node", "src/main.ts"]
