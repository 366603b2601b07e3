#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine (as root), then builds, lints and
# runs every test. Idempotent: a second run skips what is already there.
#
# The three groups (workspace suite, proof suite, swarm e2e) all run even when one fails, so a
# failure in one cannot hide the others. The run ends with one closing line,
# "N passed, N failed, N skipped", over every group, and exits non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/lib/engine.sh

ensure_packages
ensure_docker_engine
ensure_node

step "npm ci"
npm ci --no-audit --no-fund
step "build"
npm run build
# bench/ is no workspace: type-check it here, so a change of the spawner's ports cannot break it unseen.
npx tsc -p bench --noEmit

# The air-gapped Node and Python bases: process-mode tests and the CLI's templates build on them
# (skipped when present; the e2e builds the rest it needs).
step "base images for the tests"
bin/build-base-images.sh node python

export FAAS_TEST_TALLY FAAS_TEST_ERRORS FAAS_NATS_LOG_DIR
# Every test nats-server's log, one file per server name (common/src/nats-process.ts): a failure's evidence.
FAAS_NATS_LOG_DIR="$PWD/.data/nats-logs"
rm -rf "$FAAS_NATS_LOG_DIR"
FAAS_TEST_TALLY="$(mktemp)"
# Each failed test's title and the head of its error, printed again at the very end: a CI log is
# often read from its tail, and the spec reporter's list sits far above the proof suite and e2e.
FAAS_TEST_ERRORS="$(mktemp)"
failed_groups=()

# Runs one group; a group that fails without its reporter's tally (a crash, a hook outside any
# test) still counts as one failure.
group() {
  local name=$1 before after
  shift
  step "$name"
  before=$(awk '{ f += $2 } END { print f + 0 }' "$FAAS_TEST_TALLY")
  if "$@"; then return 0; fi
  after=$(awk '{ f += $2 } END { print f + 0 }' "$FAAS_TEST_TALLY")
  [ "$after" -gt "$before" ] || echo "0 1 0" >>"$FAAS_TEST_TALLY"
  failed_groups+=("$name")
}

e2e() {
  if bin/e2e-swarm.sh; then echo "1 0 0" >>"$FAAS_TEST_TALLY"; else echo "0 1 0" >>"$FAAS_TEST_TALLY"; return 1; fi
}

group "lint" npm run lint
group "test" npm run test:all
group "reliability and security proof suite" npm run test:proof
if [ "${SKIP_E2E:-0}" = "1" ]; then
  step "e2e on a single-node swarm: skipped (SKIP_E2E=1)"
else
  group "e2e on a single-node swarm" e2e
fi

# One closing line for every group above (mocha runs plus the e2e as one test).
summary=$(awk '{ p += $1; f += $2; s += $3 } END { printf "%d passed, %d failed, %d skipped", p, f, s }' "$FAAS_TEST_TALLY")
rm -f "$FAAS_TEST_TALLY"
if [ -s "$FAAS_TEST_ERRORS" ]; then
  printf '\nfailed tests:\n'
  cat "$FAAS_TEST_ERRORS"
fi
rm -f "$FAAS_TEST_ERRORS"
if [ ${#failed_groups[@]} -gt 0 ]; then
  printf '\nfailed: %s\n' "$(IFS=','; echo "${failed_groups[*]}" | sed 's/,/, /g')"
fi
printf '\n%s\n' "$summary"
[ ${#failed_groups[@]} -eq 0 ]
