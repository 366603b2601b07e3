# The deployed warm path on the faas-mn swarm (MN_BENCH=1; issue 24, item 4): bench section 10
# with the multi-node stack's edge as its stack arm (stack-bench.sh). Runs while the stack has
# its 3 deployed spawners (15 slots, as the standalone arm gets), before the scale step. Source
# mn-nodes.sh, mn-phases.sh and stack-bench.sh first.
# shellcheck shell=bash

mn_bench_phase() {
  local img=$MN_PREFIX-bench-echo:latest
  step "bench section 10: standalone beside the $MN_NODES-node stack's edge (${EDGES%%,*})"
  DOCKER_HOST= build_echo_image "$img" 'printf "%s" "$1"'
  mn_load "$img"
  stack_bench "$img" "${EDGES%%,*}" "multi-node stack through its edge ($MN_NODES nodes, 3-node NATS R3, 3 spawners)" .data/mn-bench
  hd rmi "$img" >/dev/null 2>&1 || true
}
