# Bench section 10 against a deployed stack's edge (issue 24, item 4), beside standalone on this
# machine in the same run (bench/src/alone.ts), and the busybox function images the e2e scripts
# run. Used by bin/e2e-swarm.sh (E2E_BENCH=1) and bin/e2e-multinode.sh (MN_BENCH=1, mn-bench.sh).
# shellcheck shell=bash

# build_echo_image TAG SCRIPT: FROM scratch + static busybox, running SCRIPT with the argument,
# built by the engine DOCKER_HOST names (the host's when unset or empty).
build_echo_image() {
  local dir out
  dir=$(mktemp -d)
  cp /bin/busybox "$dir/busybox"
  printf '%s\n' "$2" >"$dir/fn.sh"
  printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nCOPY fn.sh /fn.sh\nENTRYPOINT ["/bin/sh", "/fn.sh"]\n' >"$dir/Dockerfile"
  # Quiet when it works (the legacy builder's deprecation notice), everything when it does not.
  out=$(docker build -q --label faas.e2e=1 -t "$1" "$dir" 2>&1) || { printf '%s\n' "$out" >&2; fail "cannot build $1"; }
  rm -rf "$dir"
}

# stack_bench IMAGE EDGE NAME OUT: section 10 (BENCH_ONLY=stack) with EDGE (an http://host:port
# origin) as the stack arm, named NAME; the table goes to OUT.txt, every sample to OUT.json.
# IMAGE prints its argument and is already where the stack's spawners run. The stack must give
# one user 32 slots (MAX_CONCURRENT_PER_USER=32, as standalone gets) and a rate limit above the
# bench's load.
stack_bench() {
  ensure_packages
  ensure_node
  [ -d node_modules ] || npm ci --no-audit --no-fund >/dev/null
  npm run --silent build >/dev/null && npm --prefix bench run --silent build >/dev/null || fail "cannot build the bench"
  env -u DOCKER_HOST BENCH_ONLY=stack BENCH_IMAGE="$1" BENCH_STACK_EDGE="$2" BENCH_OUT="$4.json" \
    BENCH_STACK_EDGE_NAME="$3" node bench/dist/bench.js | tee "$4.txt" || fail "the bench failed"
}
