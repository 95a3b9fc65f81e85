# syntax=docker/dockerfile:1.7
# One image for the three stages and the CLI; the command picks which one runs:
#   docker run IMAGE node --enable-source-maps services/router/dist/main.js      (embedder, writer alike)
#   docker run IMAGE node --enable-source-maps packages/cli/dist/main.js provision
# tini is PID 1 so SIGTERM reaches node and a stage drains before exiting (DESIGN §6). The runtime runs as
# uid 10001, writes nothing outside /tmp, and works with a read-only root filesystem (helm/freshet).
# Pin NODE_IMAGE by digest in your registry mirror for reproducible builds.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
ENV PNPM_HOME=/pnpm CI=true
# pnpm pinned like package.json's packageManager; installed with npm because corepack's signature check
# depends on the keys the Node release carries, and Node 25 drops corepack altogether.
RUN npm install --global --no-fund --no-audit pnpm@9.15.9
# pnpm fetch reads only the lockfile, so this layer is reused until dependencies change.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
RUN --mount=type=cache,id=freshet-pnpm-store,target=/pnpm/store \
    pnpm fetch --store-dir /pnpm/store
COPY . .
RUN --mount=type=cache,id=freshet-pnpm-store,target=/pnpm/store \
    pnpm install --offline --frozen-lockfile --store-dir /pnpm/store
RUN pnpm exec tsc -b services/router services/embedder services/writer packages/cli
# The runtime tree: production dependencies of the stages and the CLI, their dist and shipped assets
# (the .avsc files), no sources, tests or dev tooling.
ARG SELECT="--filter @freshet/router... --filter @freshet/embedder... --filter @freshet/writer... --filter @freshet/cli..."
RUN --mount=type=cache,id=freshet-pnpm-store,target=/pnpm/store \
    set -eu; \
    find . -name node_modules -type d -prune -exec rm -rf {} +; \
    pnpm install --offline --frozen-lockfile --prod --store-dir /pnpm/store $SELECT; \
    mkdir -p /out; cp package.json /out/; cp -a node_modules /out/; \
    for dir in $(pnpm $SELECT ls --depth -1 --parseable); do \
      rel=${dir#/src/}; mkdir -p "/out/$rel"; cp -a "$dir/." "/out/$rel/"; \
      rm -rf "/out/$rel/src" "/out/$rel"/tsconfig*.json; \
    done; \
    find /out -path '*/node_modules' -prune -o \( -name '*.test.js' -o -name '*.test.js.map' -o -name '*.test.d.ts' -o -name '*.tsbuildinfo' \) -print0 | xargs -0 rm -f

FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 freshet \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin freshet
WORKDIR /app
# Owned by root and read-only to the service user: the process cannot change its own code.
COPY --from=build /out/ /app/
# glibc gives every thread (libuv pool, V8's GC helpers) its own malloc arena, up to 8 per core: two keep
# the RSS of these mostly-heap processes tens of MB lower (bench, Memory).
ENV NODE_ENV=production MALLOC_ARENA_MAX=2
USER 10001:10001
# Default ports of router, embedder, writer (FRESHET_HTTP_PORT; the chart uses 9100 for all).
EXPOSE 9101 9102 9103
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--enable-source-maps", "packages/cli/dist/main.js", "--help"]
