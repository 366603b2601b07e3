#!/usr/bin/env bash
# End to end on a three-node Docker Swarm on this one machine (issue 24): three privileged
# containers of faas-mn/node (Debian's docker.io; bin/lib/mn-nodes.sh), each its own dockerd,
# on a bridge network made here, joined as one swarm (node 1 the manager, two workers). Images reach the nodes
# by `docker save | docker load`. Deploys docker-compose.yml + docker-compose.e2e.yml +
# docker-compose.multinode.yml as stack faas-mn, checks the placement, runs the README's curl
# flow through the edge, scales the spawners across the nodes, then twice under steady sync
# and async load: SIGKILLs a worker node's container (first one that does not hold the NATS
# meta leader, then the one that does) and starts it again. Prints the table of
# docs/reliability.md and exits non-zero when a target is missed. Removes every faas-mn-*
# container, volume and network it made on exit (MN_KEEP=1 keeps them); the host engine's
# own swarm state is never touched. Cached images (bases, faas-mn/node, faas/*:mn) stay.
# MN_PHASES: the kills to run, in order (default "worker leader", empty: none); MN_SPAWNERS
# (default 6); MN_WARM=1 adds the warm locality phase (bin/lib/mn-warm.sh); MN_BENCH=1 the bench's
# deployed warm path, standalone beside this stack's edge (bin/lib/mn-bench.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/lib/engine.sh
source bin/lib/images.sh
source bin/lib/swarm.sh
source bin/lib/mn-nodes.sh
source bin/lib/mn-checks.sh
source bin/lib/mn-phases.sh
source bin/lib/mn-kill.sh
source bin/lib/mn-warm.sh
source bin/lib/stack-bench.sh
source bin/lib/mn-bench.sh

export FAAS_STACK=faas-mn FAAS_SECRET_PREFIX=faas-mn FAAS_TAG=${FAAS_TAG:-mn} LOG_LEVEL=${LOG_LEVEL:-warn}
export AIRGAPPED=${AIRGAPPED:-1} USER_RATE_LIMIT_COUNT=100000
# The bench's 16 clients of one user (MN_BENCH=1) and standalone beside it get the same quota.
export MAX_CONCURRENT_PER_USER=32
export E2E_EDGE_PORT=24080 FAAS_GATEWAY_PORT=24081
# The deploy's wait restarts a NATS server the meta group left out wherever it runs (heal_nats_meta).
export NATS_JSZ=mn_server_jsz
# Named after the nodes' prefix: two runs with different prefixes do not delete each other's.
FN_IMAGE=$MN_PREFIX-echo:latest
MN_TABLE=.data/mn-table.txt
started=$SECONDS
mkdir -p .data

fail() { printf '\nE2E-MULTINODE FAILED: %s\n' "$*" >&2; exit 1; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ -n "${LOAD_PID:-}" ] && kill "$LOAD_PID" 2>/dev/null
  [ -n "${SWEPT_PID:-}" ] && kill "$SWEPT_PID" 2>/dev/null
  if [ "${MN_KEEP:-0}" = 1 ]; then step "MN_KEEP=1: nodes $MN_PREFIX-* left running (bin/lib/mn-nodes.sh: mn_down)"; exit "$rc"; fi
  step "cleanup: nodes $MN_PREFIX-*, their volumes and network, $FN_IMAGE"
  mn_down
  hd rmi "$FN_IMAGE" >/dev/null 2>&1 || true
  if [ "$rc" -eq 0 ]; then step "E2E-MULTINODE PASSED in $((SECONDS - started)) s"; else echo "E2E-MULTINODE FAILED (exit $rc) after $((SECONDS - started)) s" >&2; fi
  exit "$rc"
}

trap cleanup EXIT
trap 'exit 130' INT TERM

step "multinode e2e: images (host engine; bases air-gapped unless AIRGAPPED=0)"
ensure_docker_engine
mn_down
t=$SECONDS
resolve_base_images
build_mn_image
build_service_images auth-service registry-service publisher-service spawner-service
# Each run's result names the run: "<argument>:<random uuid>".
DOCKER_HOST= build_echo_image "$FN_IMAGE" 'printf "%s:%s" "$1" "$(cat /proc/sys/kernel/random/uuid)"'
step "images ready in $((SECONDS - t)) s"

step "swarm of $MN_NODES nodes ($MN_PREFIX-1 manager, the others workers)"
t=$SECONDS
mn_up
step "docker save | docker load into every node"
mn_load "faas/auth-service:$FAAS_TAG" "faas/registry-service:$FAAS_TAG" "faas/publisher-service:$FAAS_TAG" \
  "faas/spawner-service:$FAAS_TAG" "$NODE_IMAGE" "$NATS_IMAGE" "$FN_IMAGE"
SWARM_SECONDS=$((SECONDS - t))
echo "    swarm formed and images loaded in $SWARM_SECONDS s"

mn_deploy
mn_flow
if [ "${MN_BENCH:-0}" = 1 ]; then mn_bench_phase; fi
mn_scale "${MN_SPAWNERS:-6}"
: >"$MN_TABLE"
# MN_PHASES: which kills, in order (unset: both; empty: none): "worker" (a node without the
# NATS meta leader), "leader" (the node that holds it).
for phase in ${MN_PHASES-worker leader}; do
  case $phase in
    worker) mn_kill_phase "node loss (SIGKILL + restart)" "$(mn_victim_not_leader)" ;;
    leader) mn_kill_phase "NATS meta leader's node loss" "$(mn_victim_leader)" ;;
    *) fail "MN_PHASES: unknown phase $phase (worker, leader)" ;;
  esac
done
step "table (also in $MN_TABLE)"
mn_print_table
if [ "${MN_WARM:-0}" = 1 ]; then mn_warm_phase; fi
mn_check_targets
