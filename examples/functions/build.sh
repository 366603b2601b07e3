#!/usr/bin/env bash
# Builds the example functions as faas-example/<name>:latest.
#   examples/functions/build.sh               # FROM busybox:1.36 (needs a registry)
#   examples/functions/build.sh --local-base  # FROM a busybox image built here from Debian's busybox-static
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
base="busybox:1.36"
if [ "${1:-}" = "--local-base" ]; then
  base="faas-local/busybox:latest"
  if ! docker image inspect "$base" >/dev/null 2>&1; then
    ctx="$(mktemp -d)"
    trap 'rm -rf "$ctx"' EXIT
    cp /bin/busybox "$ctx/busybox"
    printf '%s\n' 'FROM scratch' 'COPY busybox /bin/busybox' \
      'RUN ["/bin/busybox", "--install", "-s", "/bin"]' > "$ctx/Dockerfile"
    docker build -q -t "$base" "$ctx" >/dev/null
  fi
fi
for fn in wordcount multiply uppercase greeting csvlines; do
  docker build -q --build-arg "BASE_IMAGE=$base" -t "faas-example/$fn:latest" "$here/$fn" >/dev/null
  echo "built faas-example/$fn:latest (base $base)"
done
