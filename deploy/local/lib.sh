# Shared by deploy/local/{install,up,down,status,logs,demo}. Sourced, not run.
set -euo pipefail
LOCAL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
. "$LOCAL_DIR/versions.env"
FRESHET_CACHE=${FRESHET_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/freshet}
FRESHET_STATE=${FRESHET_STATE:-$FRESHET_CACHE/state}
KAFKA_PORT=${FRESHET_KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${FRESHET_KAFKA_CONTROLLER_PORT:-9093}
# The SASL_SSL listener (SCRAM-SHA-512, TLS from the local CA) for testing what managed Kafka requires.
KAFKA_SASL_PORT=${FRESHET_KAFKA_SASL_PORT:-9094}
REGISTRY_PORT=${FRESHET_REGISTRY_PORT:-8081}
MILVUS_PORT=${FRESHET_MILVUS_PORT:-19530}
KAFKA_HOME=$FRESHET_CACHE/kafka-$KAFKA_VERSION
APICURIO_HOME=$FRESHET_CACHE/apicurio-$APICURIO_VERSION
MILVUS_HOME=$FRESHET_CACHE/milvus-lite-$MILVUS_LITE_VERSION
# The local embedding provider's default FRESHET_EMBEDDING_MODELS_DIR (packages/embedding defaultModelsDir).
MODELS_DIR=$FRESHET_CACHE/models
LOG_DIR=$FRESHET_STATE/logs
PID_DIR=$FRESHET_STATE/pids
ALL_SERVICES=(kafka registry milvus)
# Local CA, broker keystore and the client settings for the SASL_SSL listener; created once, reused.
KAFKA_TLS_DIR=$FRESHET_STATE/kafka-tls
KAFKA_SASL_ENV=$FRESHET_STATE/kafka-sasl.env
# Fixed development credentials of the local broker (documented in deploy/local/README.md; not secrets).
KAFKA_SASL_USER=freshet
KAFKA_SASL_PASSWORD=freshet-local-dev
KAFKA_KEYSTORE_PASSWORD=freshet-local-keystore
mkdir -p "$FRESHET_CACHE" "$LOG_DIR" "$PID_DIR"

say() { printf '[freshet-local] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
# shellcheck source=node.sh
. "$LOCAL_DIR/node.sh"

# Names on the command line → services, one a line, each once. No names: the stack. `stages` is the
# pipeline's three stages, `all` the stack and the stages.
services_from_args() {
  if [ $# -eq 0 ]; then printf '%s\n' "${ALL_SERVICES[@]}"; return; fi
  local s seen=" "
  for s in "$@"; do
    case "$s" in
      kafka|registry|milvus|router|embedder|writer) set -- "$s" ;;
      stages) set -- "${STAGES[@]}" ;;
      all) set -- "${ALL_SERVICES[@]}" "${STAGES[@]}" ;;
      *) die "unknown service '$s' (kafka, registry, milvus, router, embedder, writer; stages = the three stages, all = stack + stages)" ;;
    esac
    for s in "$@"; do case "$seen" in *" $s "*) ;; *) seen="$seen$s "; echo "$s" ;; esac; done
  done
}

port_of() {
  case "$1" in
    kafka) echo "$KAFKA_PORT" ;; registry) echo "$REGISTRY_PORT" ;; milvus) echo "$MILVUS_PORT" ;;
    router|embedder|writer) stage_port "$1" ;;
  esac
}

pid_of() {
  local f=$PID_DIR/$1.pid
  [ -f "$f" ] || return 1
  local pid; pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then echo "$pid"; else rm -f "$f"; return 1; fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A Java ≥ 21 for Apicurio 3: JAVA_HOME if new enough, else the Temurin JDK DESIGN §7 names, else any.
java21() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  candidates+=(/usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/*21* /usr/lib/jvm/*)
  for home in "${candidates[@]}"; do
    [ -x "$home/bin/java" ] || continue
    local major
    major=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
    if [ "${major%%.*}" -ge 21 ] 2>/dev/null; then echo "$home/bin/java"; return 0; fi
  done
  return 1
}

# Runs a command detached in its own session, recording its pid; output goes to the service's log.
start_detached() {
  local name=$1; shift
  : > "$LOG_DIR/$name.log"
  setsid nohup "$@" >>"$LOG_DIR/$name.log" 2>&1 < /dev/null &
  echo $! > "$PID_DIR/$name.pid"
}

# Polls `probe` until it succeeds; on timeout prints the log tail and fails. Never a fixed sleep.
wait_ready() {
  local name=$1 timeout=$2 probe=$3
  local deadline=$((SECONDS + timeout))
  until $probe; do
    if ! pid_of "$name" >/dev/null; then
      say "$name exited before it was ready; last lines of $LOG_DIR/$name.log:"
      tail -n 40 "$LOG_DIR/$name.log" >&2 || true
      return 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      say "$name not ready after ${timeout}s; last lines of $LOG_DIR/$name.log:"
      tail -n 40 "$LOG_DIR/$name.log" >&2 || true
      return 1
    fi
    sleep 0.3
  done
}

probe_kafka() {
  port_open "$KAFKA_PORT" || return 1
  java -cp "$KAFKA_HOME/libs/*" kafka.admin.BrokerApiVersionsCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" >/dev/null 2>&1
}
# The SASL_SSL listener accepts TCP; a broker started by an older up has no such listener.
probe_kafka_sasl() { port_open "$KAFKA_SASL_PORT"; }
probe_registry() {
  curl -fsS "http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7/config" 2>/dev/null | grep -q BACKWARD
}
probe_milvus() {
  port_open "$MILVUS_PORT" || return 1
  "$MILVUS_HOME/venv/bin/python" - "$MILVUS_PORT" >/dev/null 2>&1 <<'PY'
import sys
from pymilvus import MilvusClient
MilvusClient(f"http://127.0.0.1:{sys.argv[1]}", timeout=3).list_collections()
PY
}

# --- The pipeline's stages (router, embedder, writer) in the background, like the stack (issue 15) ---
# Each stage serves /healthz, /readyz and /metrics on its own port; `freshet status` reads the same
# FRESHET_<STAGE>_PORT variables (packages/config), so it finds them with no URL given.
STAGES=(router embedder writer)
ROUTER_PORT=${FRESHET_ROUTER_PORT:-9101}
EMBEDDER_PORT=${FRESHET_EMBEDDER_PORT:-9102}
WRITER_PORT=${FRESHET_WRITER_PORT:-9103}
REPO_DIR=$(cd "$LOCAL_DIR/../.." && pwd)

is_stage() { case "$1" in router|embedder|writer) return 0 ;; *) return 1 ;; esac; }
stage_port() { case "$1" in router) echo "$ROUTER_PORT" ;; embedder) echo "$EMBEDDER_PORT" ;; writer) echo "$WRITER_PORT" ;; esac; }

# Ready = the stage's own /readyz answers 200 (connected to Kafka, and Milvus for the embedder and writer).
probe_stage() { curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$(stage_port "$1")/readyz" 2>/dev/null; }

# Starts a built stage detached against the local stack (FRESHET_* set by the caller win), on the pinned Node,
# through deploy/local/service (its memory default; it execs node, so the recorded pid is the stage's).
start_stage() {
  local s=$1 main="$REPO_DIR/services/$1/dist/main.js"
  [ -f "$main" ] || die "$s is not built ($main is missing): run npx tsc -b first (npm run demo does)"
  use_node
  start_detached "$s" env \
    FRESHET_HTTP_PORT="$(stage_port "$s")" \
    FRESHET_KAFKA_BROKERS="${FRESHET_KAFKA_BROKERS:-127.0.0.1:$KAFKA_PORT}" \
    FRESHET_REGISTRY_URL="${FRESHET_REGISTRY_URL:-http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7}" \
    FRESHET_MILVUS_ADDRESS="${FRESHET_MILVUS_ADDRESS:-127.0.0.1:$MILVUS_PORT}" \
    "$LOCAL_DIR/service" "$s"
}
