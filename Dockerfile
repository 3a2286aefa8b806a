# ccproxy as a container: built in one stage, run as the unprivileged `node` user in another.
# Build: docker build -t ccproxy:local .   Run: see README "Running for a team".
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the `prepare` build runs below, once the sources are in.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOME=/home/node \
    SERVER__HOST=0.0.0.0 \
    SERVER__PORT=8000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY demo ./demo
COPY dashboard ./dashboard
USER node
EXPOSE 8000
# /health never needs the access key; it answers 200 (status "degraded" while Redis is away).
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8000/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/ccproxy.js"]
# Listening beyond loopback needs an access key: set SECURITY__AUTH_TOKEN.
CMD ["serve"]
