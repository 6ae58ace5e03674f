# syntax=docker/dockerfile:1
# The bot in a container: `docker build -t palace-bot .`, or `docker compose up -d --build`.
# Node 20: the version CI runs the test suite on (engines in package.json allow 20.19+, 22.13+, 24+).

# --- deps: production dependencies only -------------------------------------------------------
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# --- build: compile TypeScript to dist/ -------------------------------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY drizzle ./drizzle
COPY scripts ./scripts
# The build also prepares the embedded database (.pglite-template): a first start copies it
# instead of creating one. dist/.tsbuildinfo only serves the next incremental build.
RUN npm run build && rm -f dist/.tsbuildinfo && chmod -R a+rX .pglite-template

# --- runtime ----------------------------------------------------------------------------------
FROM node:20-bookworm-slim
WORKDIR /app
# Logs are JSON lines here (`docker logs`), and readable lines only with a terminal (`docker run -it`).
ENV NODE_ENV=production

# The app resolves ../../../drizzle and ../../locales from dist/core/db and dist/core, so dist/, drizzle/
# and locales/ sit side by side in /app. Files stay owned by root: the bot only reads them.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/.pglite-template ./.pglite-template
COPY drizzle ./drizzle
COPY scripts ./scripts
COPY locales ./locales
COPY package.json ./

# The embedded PGlite database lives here when DATABASE_URL is not set.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
ENV DATA_DIR=/app/data
VOLUME /app/data

# Used in webhook mode only (PORT, default 8080): POST to the WEBHOOK_URL path, GET /healthz.
EXPOSE 8080

# No HEALTHCHECK: in polling mode (the default) the bot runs no HTTP server. In webhook mode
# GET /healthz answers 200 (503 while shutting down); add a check against it there if you like.
# The bot handles SIGTERM itself: it finishes updates in flight and closes the database.
# Exit codes: 0 stopped, 1 configuration error, 2 database or Bot API unreachable, 3 BOT_TOKEN rejected.
CMD ["node", "dist/main.js"]
