#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine (as root), then builds, lints and
# runs every test. Idempotent: a second run skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/lib/engine.sh

ensure_packages
ensure_docker_engine

step "npm ci"
npm ci --no-audit --no-fund
step "build"
npm run build
# bench/ is no workspace: type-check it here, so a change of the spawner's ports cannot break it unseen.
npx tsc -p bench --noEmit
step "lint"
npm run lint
export FAAS_TEST_TALLY
FAAS_TEST_TALLY="$(mktemp)"
step "test"
npm run test:all
step "reliability and security proof suite"
npm run test:proof

if [ "${SKIP_E2E:-0}" = "1" ]; then
  step "e2e on a single-node swarm: skipped (SKIP_E2E=1)"
else
  step "e2e on a single-node swarm"
  bin/e2e-swarm.sh
  echo "1 0 0" >> "$FAAS_TEST_TALLY"
fi

# One closing line for every suite above (mocha runs plus the e2e as one test).
awk '{ p += $1; f += $2; s += $3 } END { printf "\n%d passed, %d failed, %d skipped\n", p, f, s }' "$FAAS_TEST_TALLY"
rm -f "$FAAS_TEST_TALLY"
