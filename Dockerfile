# nonmerci as a container image.
#
#   docker build -t nonmerci .
#   docker run -d -p 127.0.0.1:3000:3000 -v nonmerci-data:/data \
#     -e PUBLIC_URL=https://hotline.example.org -e TRUST_PROXY=uniquelocal nonmerci
#
# With nothing else set it keeps SQLite and a generated secret in the /data volume. A reverse proxy
# on the host reaches it from a private address of Docker's network, hence TRUST_PROXY. For a
# server, deploy/setup.sh runs deploy/compose.yaml: PostgreSQL, web, worker and Caddy (HTTPS).
# Every stage starts from BASE, so another Node 24 image can be given:
#   docker build --build-arg BASE=registry.example.org/node:24-bookworm-slim -t nonmerci .
# No secret is baked in: settings come from the environment (or an env file) when it runs.

ARG BASE=node:24-bookworm-slim

# ---- build: dependencies and the dashboard -------------------------------------------------------
FROM ${BASE} AS build
WORKDIR /app

# Production dependencies only: Vite and the Preact preset, which build the dashboard, are among
# them. Install scripts are skipped: nonmerci's own postinstall is the dashboard build, run below;
# better-sqlite3 ships ready-built binaries for each platform, so the node-gyp build npm would
# start for it (it also ships its C sources) is not needed, nor a compiler.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund

COPY bin/ bin/
COPY dashboard/ dashboard/
COPY src/ src/
RUN node bin/build-dashboard.js --force

# What the server does not need at run time, once the dashboard is built:
# - Vite, the Preact preset and Preact (and what only they use): build tools of the dashboard;
# - better-sqlite3's binaries for other platforms and its C sources (it loads the prebuilt binary
#   for this one);
# - type declarations and source maps, never loaded by Node.
# Then a check that SQLite still opens on this platform.
RUN --mount=type=cache,target=/root/.npm \
    npm uninstall --no-save --omit=dev --ignore-scripts --no-audit --no-fund \
      vite @preact/preset-vite preact \
 && node -e " \
      const fs = require('node:fs'); \
      const libc = process.report.getReport().header.glibcVersionRuntime ? '' : 'musl'; \
      const os = process.platform === 'linux' && libc ? 'linuxmusl' : process.platform; \
      const keep = os + '-' + process.arch + '.node'; \
      const dir = 'node_modules/better-sqlite3/prebuilds'; \
      if (!fs.existsSync(dir + '/' + keep)) { console.error('better-sqlite3 has no binary for ' + keep); process.exit(1); } \
      for (const f of fs.readdirSync(dir)) if (f !== keep) fs.rmSync(dir + '/' + f); \
      for (const d of ['deps', 'src', 'build']) fs.rmSync('node_modules/better-sqlite3/' + d, { recursive: true, force: true });" \
 && find node_modules -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' \) -delete \
 && node -e "const D = require('better-sqlite3'); new D(':memory:').prepare('select 1').get();"

# ---- run ------------------------------------------------------------------------------------------
FROM ${BASE}
WORKDIR /app

# A dedicated user without a shell or home; the program's files stay root's, read-only to it.
RUN if command -v useradd >/dev/null; then \
      groupadd --gid 10001 nonmerci \
      && useradd --uid 10001 --gid nonmerci --no-create-home --home-dir /nonexistent \
           --shell /usr/sbin/nologin --no-log-init nonmerci; \
    else \
      addgroup -g 10001 nonmerci && adduser -D -H -u 10001 -G nonmerci -s /sbin/nologin nonmerci; \
    fi \
 && mkdir -p /data && chown 10001:10001 /data && chmod 0700 /data

COPY --from=build /app/node_modules/ node_modules/
COPY --from=build /app/dashboard/dist/ dashboard/dist/
COPY package.json package-lock.json ./
COPY bin/ bin/
COPY src/ src/
COPY scenarios/ scenarios/

# Node's compile cache (TypeScript stripped, then compiled), filled here with every command's
# sources and the server's (bin/warm-compile-cache.js), so that they start faster and never load
# the type stripper (17 MB). Node keeps one cache per user id: it is filled as the server's user,
# then given back to root, so it is read-only at run time. Node checks each entry against its source.
RUN mkdir .node-compile-cache && chown 10001:10001 .node-compile-cache \
 && node --input-type=module -e " \
      process.setgid(10001); process.setuid(10001); \
      const { enableCompileCache } = await import('node:module'); \
      enableCompileCache('/app/.node-compile-cache'); \
      process.env.NODE_COMPILE_CACHE = '/app/.node-compile-cache'; \
      await import('/app/bin/warm-compile-cache.js');" \
 && chown -R root:root .node-compile-cache && chmod -R a+rX,go-w .node-compile-cache
ENV NODE_COMPILE_CACHE=/app/.node-compile-cache

# SQLite and the generated secret live in /data (unused with PostgreSQL and NONMERCI_SECRET).
# The server listens on every interface of the container; it still answers only to PUBLIC_URL's
# host name and to loopback names, so set PUBLIC_URL to the public address.
ENV NODE_ENV=production \
    NONMERCI_DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=3000

USER 10001:10001
VOLUME /data
EXPOSE 3000

# /healthz answers under any host name; 127.0.0.1 is always allowed. A worker (serve --role
# worker) has no HTTP port: turn this check off for it (deploy/compose.yaml does).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# A young generation of 8 MB a half, and a heap of at most 1.5 GB: under a flood V8 would otherwise
# grow the first to 64 MB a half and let the second reach several times what is alive, and the
# process past 300 MB (README, Memory).
ENV NODE_OPTIONS="--max-semi-space-size=8 --max-old-space-size=1536"

# An absolute path, so that commands may run in another working directory (e.g. one holding the
# .env that `nonmerci connect twilio` writes).
ENTRYPOINT ["node", "/app/bin/nonmerci.js"]
CMD ["serve"]
