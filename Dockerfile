# syntax=docker/dockerfile:1
# Build stage: full dependencies, compile better-sqlite3, build the static client and the server.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx svelte-kit sync && npx vite build && npm run build:server

# Runtime stage: production dependencies only, the built client and the compiled server (plain node, no transpiler).
FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8787 DATABASE_PATH=/data/phosphor.db
COPY package.json package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
RUN npm prune --omit=dev --no-audit --no-fund
COPY --from=build /app/build ./build
COPY --from=build /app/dist/server ./dist/server
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:8787/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# A young generation capped at 2 MB per semi-space: V8 otherwise grows it to 16 MB under a burst of streams and keeps it (README, Running in production).
CMD ["node", "--max-semi-space-size=2", "--heap-growing-percent=20", "dist/server/main.js"]
