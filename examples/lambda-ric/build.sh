#!/usr/bin/env bash
# Builds faas-example/lambda-ric:latest (see Dockerfile): AWS's aws-lambda-ric, unmodified, on the
# air-gapped Node base. Needs the npm registry on this host (not in the build), the base image
# (bin/build-base-images.sh node) and a Debian mirror for the compilers.
#   examples/lambda-ric/build.sh [IMAGE]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../../bin/lib/engine.sh"
image=${1:-faas-example/lambda-ric:latest}
base=${BASE_IMAGE:-faas-base/node:24-bookworm-slim}
ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
cp "$here/Dockerfile" "$here/package.json" "$here/index.mjs" "$ctx/"
# The packages as npm resolves them; their install scripts (the native build) run in the image.
(cd "$ctx" && npm install --ignore-scripts --omit=dev --no-audit --no-fund --no-package-lock --loglevel=error >/dev/null)
version=$(docker run --rm --entrypoint node "$base" -p process.versions.node)
unpack_node "$version" "$ctx/node-headers" package/include
docker build -q --build-arg "BASE_IMAGE=$base" -t "$image" "$ctx" >"$ctx/build.log" 2>&1 || { tail -n 40 "$ctx/build.log" >&2; exit 1; }
echo "built $image (aws-lambda-ric $(node -p "require('$ctx/node_modules/aws-lambda-ric/package.json').version"), Node $version)"
