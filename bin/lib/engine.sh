# Shared by bin/*.sh: install Debian packages the platform needs and start a Docker engine.
# shellcheck shell=bash

step() { printf '\n==> %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_packages() {
  local missing=()
  command -v nats-server >/dev/null 2>&1 || missing+=(nats-server)
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  [ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx sh || missing+=(busybox-static)
  if [ ${#missing[@]} -eq 0 ]; then
    step "packages present (nats-server, docker.io, busybox-static)"
    return
  fi
  step "installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
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
