# The deployed warm path on the faas-mn swarm (MN_BENCH=1; issue 24, item 4): bench section 10
# with the multi-node stack's edge as its stack arm, beside standalone on this machine in the
# same run (bench/src/alone.ts). Runs while the stack has its 3 deployed spawners (15 slots, as
# the standalone arm gets), before the scale step. Source mn-nodes.sh and mn-phases.sh first.
# shellcheck shell=bash

MN_BENCH_OUT=.data/mn-bench.txt

mn_bench_phase() {
  local img=$MN_PREFIX-bench-echo:latest
  step "bench section 10: standalone beside the $MN_NODES-node stack's edge (${EDGES%%,*})"
  ensure_packages
  ensure_node
  [ -d node_modules ] || npm ci --no-audit --no-fund >/dev/null
  npm run --silent build >/dev/null && npm --prefix bench run --silent build >/dev/null || fail "cannot build the bench"
  build_echo_image "$img" 'printf "%s" "$1"'
  mn_load "$img"
  env -u DOCKER_HOST BENCH_ONLY=stack BENCH_IMAGE=$img BENCH_STACK_EDGE=${EDGES%%,*} BENCH_OUT=.data/mn-bench.json \
    BENCH_STACK_EDGE_NAME="multi-node stack through its edge ($MN_NODES nodes, 3-node NATS R3, 3 spawners)" \
    node bench/dist/bench.js | tee "$MN_BENCH_OUT" || fail "the bench failed"
  hd rmi "$img" >/dev/null 2>&1 || true
}
