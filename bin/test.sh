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
step "lint"
npm run lint
step "test"
npm run test:all

if [ "${SKIP_E2E:-0}" = "1" ]; then
  step "e2e on a single-node swarm: skipped (SKIP_E2E=1)"
else
  step "e2e on a single-node swarm"
  bin/e2e-swarm.sh
fi
