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
