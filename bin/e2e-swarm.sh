#!/usr/bin/env bash
# End to end on a single-node Docker Swarm: deploys docker-compose.yml plus
# docker-compose.e2e.yml (no APISIX/etcd/configurator: their images cannot be had here) as
# stack faas-e2e, with air-gapped images when no registry answers. In APISIX's place, an
# "edge" service of the stack (bin/lib/e2e-edge.mjs, host-mode port; the stack's network is
# not attachable) routes /auth, /registry and /publisher to the services. Then: the three NATS
# nodes form one JetStream cluster behind authentication (a task with no credentials is
# refused), 10 spawners run, the README's curl flow, `docker service scale` of the spawner
# and the flow again.
# Everything it made (stack, volumes, secrets, function image) goes on
# exit; the swarm and the cached base/service images stay. Exits non-zero on any failure.
# E2E_KEEP=1 leaves the stack running for a look. E2E_AUTOSCALE=0 skips the autoscaler phase
# (bin/lib/e2e-autoscale.sh: the stack updated with docker-compose.autoscale.yml, a burst scales
# the spawners up, idle time back down, no execution lost or run twice). E2E_BENCH=1 runs bench
# section 10 through the edge once the spawners are scaled to 3 (15 slots, as standalone gets),
# standalone beside it (bin/lib/stack-bench.sh); the stack then gives one user 32 slots and a
# rate limit above the bench's load.
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/lib/engine.sh
source bin/lib/images.sh
source bin/lib/swarm.sh
source bin/lib/e2e-autoscale.sh
source bin/lib/stack-bench.sh

export FAAS_STACK=${E2E_STACK:-faas-e2e}
export FAAS_SECRET_PREFIX=$FAAS_STACK
export FAAS_TAG=${FAAS_TAG:-e2e}
export LOG_LEVEL=${LOG_LEVEL:-warn}
# Named after the stack, so that two e2e stacks on one engine never share (or remove) it.
FN_IMAGE=${FAAS_STACK}-echo:latest
E2E_AUTOSCALE=${E2E_AUTOSCALE:-1}
SCALE_TO=${E2E_SCALE_TO:-3}
BENCH_IMAGE_TAG=${FAAS_STACK}-bench-echo:latest
if [ "${E2E_BENCH:-0}" = 1 ]; then export MAX_CONCURRENT_PER_USER=32 USER_RATE_LIMIT_COUNT=100000; fi
started=$SECONDS
mkdir -p .data

fail() { printf '\nE2E FAILED: %s\n' "$*" >&2; exit 1; }

# A TCP port nothing listens on (loopback), from a random start.
free_port() {
  local port=$((20000 + RANDOM % 20000))
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "${E2E_KEEP:-0}" = 1 ]; then
    step "E2E_KEEP=1: stack $FAAS_STACK left running"
    exit "$rc"
  fi
  if [ "$rc" -ne 0 ] && docker stack ls --format '{{.Name}}' 2>/dev/null | grep -qx "$FAAS_STACK"; then
    stack_diagnose "$FAAS_STACK" auth-service registry-service publisher-service spawner-service autoscaler 2>&1 | tail -n 80 >&2 || true
  fi
  step "cleanup: stack $FAAS_STACK, its volumes and secrets, $FN_IMAGE"
  remove_stack "$FAAS_STACK"
  docker volume ls -q --filter "label=com.docker.stack.namespace=$FAAS_STACK" | xargs -r docker volume rm >/dev/null 2>&1 || true
  docker secret rm "${FAAS_SECRET_PREFIX}_jwt_secret" "${FAAS_SECRET_PREFIX}_apisix_admin_key" "${FAAS_SECRET_PREFIX}_secrets_key" "${FAAS_SECRET_PREFIX}_admin_password" >/dev/null 2>&1 || true
  for name in "${INTERNAL_SECRETS[@]}"; do docker secret rm "${FAAS_SECRET_PREFIX}_$name" >/dev/null 2>&1 || true; done
  docker rmi "$FN_IMAGE" "$BENCH_IMAGE_TAG" >/dev/null 2>&1 || true
  if [ "$rc" -eq 0 ]; then step "E2E PASSED in $((SECONDS - started)) s"; else echo "E2E FAILED (exit $rc) after $((SECONDS - started)) s" >&2; fi
  exit "$rc"
}

# http METHOD URL [BODY] [TOKEN]: sets STATUS and BODY.
http() {
  local method=$1 url=$2 data=${3:-} token=${4:-} out
  local args=(-s -m 90 -o .data/e2e-body -w '%{http_code}' -X "$method" -H 'Content-Type: application/json')
  [ -n "$data" ] && args+=(-d "$data")
  [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
  out=$(curl "${args[@]}" "$url") || out=000
  STATUS=$out BODY=$(cat .data/e2e-body 2>/dev/null || true)
}

expect_status() {
  local want=$1 what=$2
  [ "$STATUS" = "$want" ] || fail "$what: expected HTTP $want, got $STATUS: $BODY"
  echo "    ok  $what -> $STATUS"
}

json_field() { sed -nE "s/.*\"$1\":\"([^\"]*)\".*/\1/p" <<<"$BODY"; }

# "sleep:<seconds>:..." sleeps first: the autoscaler phase's slow executions.
build_function_image() {
  build_echo_image "$FN_IMAGE" 'case "$1" in sleep:*) s=${1#sleep:}; sleep "${s%%:*}" ;; esac
printf "%s" "e2e:$1"'
}

nats_container() {
  docker ps -q --filter "label=com.docker.swarm.service.name=${FAAS_STACK}_$1" | head -n 1
}

check_nats_cluster() {
  local node cid routez jsz peers leader size
  for node in nats-1 nats-2 nats-3; do
    cid=$(nats_container "$node")
    [ -n "$cid" ] || fail "no running container for $node"
    routez=$(docker exec "$cid" wget -q -O- http://127.0.0.1:8222/routez) || fail "$node: /routez"
    jsz=$(docker exec "$cid" wget -q -O- http://127.0.0.1:8222/jsz) || fail "$node: /jsz"
    # 2.10 pools several routes per peer: count the distinct peers.
    peers=$(grep -oE '"remote_name": *"[^"]*"' <<<"$routez" | sed -E 's/.*"([^"]*)"$/\1/' | grep -vx "$node" | sort -u | xargs)
    leader=$(grep -oE '"leader": *"[^"]*"' <<<"$jsz" | head -n 1 | sed -E 's/.*"([^"]*)"$/\1/')
    size=$(grep -oE '"cluster_size": *[0-9]+' <<<"$jsz" | head -n 1 | grep -oE '[0-9]+$')
    [ "$(wc -w <<<"$peers")" -eq 2 ] || fail "$node is routed to '$peers' (want the two others): the nodes did not form one cluster"
    [ "${size:-0}" -eq 3 ] && [ -n "$leader" ] || fail "$node: JetStream meta cluster size ${size:-?}, leader '${leader}'"
    echo "    ok  $node: routed to $peers; JetStream meta cluster of $size, leader $leader"
  done
}

# The proxy in APISIX's place: the stack's edge service (docker-compose.e2e.yml).
wait_edge() {
  local deadline=$((SECONDS + 60))
  step "edge proxy ${FAAS_STACK}_edge on 127.0.0.1:$E2E_EDGE_PORT (stands in for APISIX)"
  until curl -sf -m 5 -o /dev/null "http://127.0.0.1:$E2E_EDGE_PORT/auth/health"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "edge proxy does not answer on 127.0.0.1:$E2E_EDGE_PORT"
    sleep 1
  done
}

# From a task on the stack's network that holds no credentials (the edge): NATS refuses it
# before any command (so it can neither read the users bucket nor publish an execution), and
# NATS's monitoring port answers only inside each NATS task. The network takes no outsiders.
check_internal_trust() {
  local cid answer attachable
  attachable=$(docker network inspect -f '{{.Attachable}}' "${FAAS_STACK}_faas")
  [ "$attachable" = false ] || fail "network ${FAAS_STACK}_faas is attachable"
  echo "    ok  network ${FAAS_STACK}_faas is not attachable"
  cid=$(docker ps -q --filter "label=com.docker.swarm.service.name=${FAAS_STACK}_edge" | head -n 1)
  [ -n "$cid" ] || fail "no running edge task"
  answer=$(docker exec "$cid" node -e "$(cat <<'JS'
const s = require('node:net').connect(4222, 'nats-1');
let got = '';
s.on('data', (d) => {
  got += d;
  if (got.includes('INFO') && !s.sentConnect) { s.sentConnect = true; s.write('CONNECT {"verbose":false}\r\nSUB $KV.users.> 1\r\nPUB faas.exec.forged 2\r\n{}\r\nPING\r\n'); }
  if (/-ERR|PONG/.test(got)) { console.log(got.split('\r\n').filter((l) => l && !l.startsWith('INFO')).join(' | ')); s.destroy(); }
});
s.on('error', (e) => console.log('error ' + e.message));
setTimeout(() => { console.log('no answer: ' + got.slice(0, 80)); process.exit(0); }, 5000).unref();
JS
)") || fail "cannot run the NATS probe in the edge task"
  grep -q "Authorization Violation" <<<"$answer" || fail "NATS accepted a client without credentials: $answer"
  echo "    ok  NATS to a client without credentials: $answer"
  answer=$(docker exec "$cid" node -e "fetch('http://nats-1:8222/varz').then((r) => console.log('status ' + r.status), (e) => console.log('refused: ' + (e.cause?.code ?? e.message)))")
  grep -q "^refused" <<<"$answer" || fail "NATS monitoring answers over the network: $answer"
  echo "    ok  NATS monitoring from the network: $answer"
  # The node sweeper sits on the engine's default bridge, which a function allowed a network
  # shares: its HTTP side must answer only inside its own container.
  local sweeper ip
  sweeper=$(docker ps -q --filter "label=com.docker.swarm.service.name=${FAAS_STACK}_node-sweeper" | head -n 1)
  [ -n "$sweeper" ] || fail "no running node-sweeper task"
  ip=$(docker inspect -f '{{with index .NetworkSettings.Networks "bridge"}}{{.IPAddress}}{{end}}' "$sweeper")
  [ -n "$ip" ] || fail "the node-sweeper task is not on the engine's bridge"
  answer=$(docker run --rm --network bridge --entrypoint node "faas/spawner-service:$FAAS_TAG" -e \
    "fetch('http://$ip:8084/metrics', { signal: AbortSignal.timeout(5000) }).then((r) => console.log('status ' + r.status), (e) => console.log('refused: ' + (e.cause?.code ?? e.name)))") \
    || fail "cannot run the sweeper probe on the bridge"
  grep -q "^refused" <<<"$answer" || fail "the node sweeper answers on the bridge: $answer"
  echo "    ok  node sweeper from a container on the engine's bridge ($ip:8084): $answer"
}

# Services run as uid 1000; the spawner's group is the docker socket's, and nothing else.
check_users() {
  local svc cid ids want
  for svc in auth-service spawner-service; do
    cid=$(docker ps -q --filter "label=com.docker.swarm.service.name=${FAAS_STACK}_$svc" | head -n 1)
    ids=$(docker exec "$cid" id -u):$(docker exec "$cid" id -g)
    want=1000:1000
    [ "$svc" = spawner-service ] && want=1000:$DOCKER_GID
    [ "$ids" = "$want" ] || fail "$svc runs as $ids, want $want"
    echo "    ok  $svc runs as uid:gid $ids"
  done
}

# Each service runs as its own NATS user (docs/internal-trust.md): a subject missing from its
# permissions shows up as a "Permissions Violation" in its log, even where it only retries.
check_no_violations() {
  local svc count services
  local services=(auth-service registry-service publisher-service spawner-service)
  [ "$E2E_AUTOSCALE" = 1 ] && services+=(autoscaler)
  for svc in "${services[@]}"; do
    count=$(docker service logs --no-task-ids "${FAAS_STACK}_$svc" 2>&1 | grep -c 'Permissions Violation' || true)
    [ "$count" -eq 0 ] || fail "$svc was refused by NATS $count times: $(docker service logs --no-task-ids "${FAAS_STACK}_$svc" 2>&1 | grep -m 2 -o "Permissions Violation[^,]*")"
    echo "    ok  $svc: no permissions violation in its log"
  done
}

# Polls until the service runs exactly N tasks.
wait_replicas() {
  local svc=$1 want=$2 deadline=$((SECONDS + ${3:-180})) replicas
  while :; do
    replicas=$(docker service ls --filter "name=$svc" --format '{{.Name}} {{.Replicas}}' | awk -v s="$svc" '$1==s{print $2}')
    [ "$replicas" = "$want/$want" ] && { echo "    ok  $svc $replicas"; return; }
    [ "$SECONDS" -lt "$deadline" ] || fail "$svc has $replicas tasks running, want $want/$want"
    sleep 2
  done
}

publish_and_check() {
  local arg=$1
  http POST "$PUBLISHER/publisher/publish" "{\"name\":\"$FN_NAME\",\"argument\":\"$arg\"}" "$TOKEN"
  expect_status 200 "POST /publisher/publish ($arg)"
  [ "$(json_field status)" = succeeded ] || fail "execution status: $BODY"
  grep -q "\"result\":\"e2e:$arg\"" <<<"$BODY" || fail "unexpected result: $BODY"
  echo "    ok  result e2e:$arg from spawner $(json_field spawner)"
}

# Runs one function E2E_WARM_RUNS times (sync) and sums the spawners' warm-start counters:
# every spawner has its own pool, so each pays one cold start for the function, then hits.
warm_hit_rate() {
  local n=${E2E_WARM_RUNS:-100} i cid metrics hits=0 new=0 t=$SECONDS
  for i in $(seq 1 "$n"); do
    http POST "$PUBLISHER/publisher/publish" "{\"name\":\"$FN_NAME\",\"argument\":\"w$i\"}" "$TOKEN"
    [ "$STATUS" = 200 ] && grep -q "\"result\":\"e2e:w$i\"" <<<"$BODY" || fail "warm run $i: HTTP $STATUS $BODY"
  done
  for cid in $(docker ps -q --filter "label=com.docker.swarm.service.name=${FAAS_STACK}_spawner-service"); do
    metrics=$(docker exec "$cid" node -e "fetch('http://127.0.0.1:8084/metrics').then(r=>r.text()).then(t=>process.stdout.write(t))") || continue
    hits=$((hits + $(awk '/^faas_spawner_warm_starts_total\{kind="hit"\}/{s+=$2} END{printf "%d", s}' <<<"$metrics")))
    new=$((new + $(awk '/^faas_spawner_warm_starts_total\{kind="new"\}/{s+=$2} END{printf "%d", s}' <<<"$metrics")))
  done
  echo "    ok  $n runs in $((SECONDS - t)) s; warm starts: $hits reused, $new new containers; hit rate $((100 * hits / (hits + new > 0 ? hits + new : 1)))%"
  [ "$hits" -gt 0 ] || fail "no run reused a warm container"
}

trap cleanup EXIT
trap 'exit 130' INT TERM

step "e2e: prerequisites"
ensure_packages
ensure_docker_engine
ensure_swarm
if docker stack ls --format '{{.Name}}' | grep -qx "$FAAS_STACK"; then
  step "stack $FAAS_STACK left over from an earlier run: removing it"
  remove_stack "$FAAS_STACK"
fi

t=$SECONDS
resolve_base_images
e2e_workspaces=(auth-service registry-service publisher-service spawner-service)
[ "$E2E_AUTOSCALE" = 1 ] && e2e_workspaces+=("$AUTOSCALER_WORKSPACE")
build_service_images "${e2e_workspaces[@]}"
build_function_image
step "images ready in $((SECONDS - t)) s"

ensure_secret "${FAAS_SECRET_PREFIX}_jwt_secret"
ensure_secret "${FAAS_SECRET_PREFIX}_apisix_admin_key"
ensure_secret "${FAAS_SECRET_PREFIX}_secrets_key"
ensure_kept_secret "${FAAS_SECRET_PREFIX}_admin_password" .data/e2e-admin-password
ensure_internal_secrets "${FAAS_SECRET_PREFIX}"
ensure_nats_labels
export_config_hashes
# APISIX runs no task, but its service still reserves its published port: take a free one.
FAAS_GATEWAY_PORT=$(free_port)
E2E_EDGE_PORT=$(free_port)
E2E_EDGE_HASH=$(sha256sum bin/lib/e2e-edge.mjs | cut -c1-12)
# A subnet of its own for the (taskless here) gateway-admin network, apart from other stacks'.
FAAS_ADMIN_SUBNET=${FAAS_ADMIN_SUBNET:-10.251.$((RANDOM % 250)).0/24}
export FAAS_GATEWAY_PORT E2E_EDGE_PORT E2E_EDGE_HASH NODE_IMAGE FAAS_ADMIN_SUBNET

step "deploying stack $FAAS_STACK"
t=$SECONDS
deploy_stack "$FAAS_STACK" docker-compose.yml docker-compose.e2e.yml >/dev/null
wait_stack_ready "$FAAS_STACK" "${READY_TIMEOUT:-420}"
DEPLOY_SECONDS=$((SECONDS - t))

wait_edge
AUTH=http://127.0.0.1:$E2E_EDGE_PORT REGISTRY=$AUTH PUBLISHER=$AUTH

step "NATS: three nodes, one JetStream cluster"
check_nats_cluster
step "internal trust: no credentials, no NATS"
check_internal_trust

step "spawners: 10 tasks, non-root"
wait_replicas "${FAAS_STACK}_spawner-service" 10 60
check_users

step "curl flow through the edge proxy"
USER_NAME="e2e_$(date +%s)_$RANDOM" PASSWORD='e2e-s3cret-pass' FN_NAME="echo_$RANDOM"
http GET "$AUTH/auth/ready"; expect_status 200 "GET /auth/ready"
http GET "$REGISTRY/registry/ready"; expect_status 200 "GET /registry/ready"
http GET "$PUBLISHER/publisher/ready"; expect_status 200 "GET /publisher/ready"
http POST "$AUTH/auth/register" "{\"username\":\"$USER_NAME\",\"password\":\"$PASSWORD\"}"
expect_status 201 "POST /auth/register"
http POST "$AUTH/auth/login" "{\"username\":\"$USER_NAME\",\"password\":\"$PASSWORD\"}"
expect_status 200 "POST /auth/login"
TOKEN=$(json_field token)
[ -n "$TOKEN" ] || fail "no token in the login answer"
http GET "$AUTH/auth/validate" "" "$TOKEN"; expect_status 200 "GET /auth/validate"
http POST "$REGISTRY/registry/functions" "{\"name\":\"$FN_NAME\",\"image\":\"$FN_IMAGE\"}" "$TOKEN"
expect_status 201 "POST /registry/functions ($FN_NAME -> $FN_IMAGE)"
publish_and_check "hello-swarm"

step "warm execution with 10 spawners: ${E2E_WARM_RUNS:-100} sync runs of one function"
warm_hit_rate
step "docker service scale ${FAAS_STACK}_spawner-service=$SCALE_TO"
docker service scale --detach "${FAAS_STACK}_spawner-service=$SCALE_TO" >/dev/null
wait_replicas "${FAAS_STACK}_spawner-service" "$SCALE_TO" 120
publish_and_check "after-scale"

if [ "${E2E_BENCH:-0}" = 1 ]; then
  step "bench section 10: standalone beside the stack's edge (127.0.0.1:$E2E_EDGE_PORT)"
  build_echo_image "$BENCH_IMAGE_TAG" 'printf "%s" "$1"'
  stack_bench "$BENCH_IMAGE_TAG" "http://127.0.0.1:$E2E_EDGE_PORT" "single-node stack through its edge (3-node NATS R3, $SCALE_TO spawners)" .data/e2e-bench
fi

if [ "$E2E_AUTOSCALE" = 1 ]; then
  autoscale_phase
else
  step "autoscaler phase skipped (E2E_AUTOSCALE=0)"
fi

step "NATS permissions: no service was refused anything it asked for"
check_no_violations

step "figures: stack deploy to healthy ${DEPLOY_SECONDS} s; images:"
for ws in "${e2e_workspaces[@]}"; do
  docker image inspect -f '{{.Size}}' "faas/$ws:$FAAS_TAG" | awk -v n="faas/$ws:$FAAS_TAG" '{printf "    %s %.0f MB\n", n, $1/1e6}'
done
