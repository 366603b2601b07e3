# A multi-node Docker Swarm on one machine for bin/e2e-multinode.sh: MN_NODES privileged
# containers of faas-mn/node (Debian's docker.io, no registry), each with its own dockerd and
# data volume, on a bridge network made here, joined as one swarm: node 1 the manager, the
# others workers (three managers lost their Raft leader again and again on this loaded 2-core
# machine: elections time out when fsync and gossip lag; one manager never elects).
# Everything carries the prefix faas-mn- and the label faas.mn=<MN_RUN>; the host engine's own
# swarm state is never touched. Source engine.sh and images.sh first.
# shellcheck shell=bash

MN_PREFIX=${MN_PREFIX:-faas-mn}
MN_NODES=${MN_NODES:-3}
MN_IMAGE=${MN_IMAGE:-faas-mn/node:bookworm}
MN_NET=${MN_PREFIX}-net
MN_RUN=${MN_RUN:-$MN_PREFIX}
# Each node's dockerd also listens on a socket in this host directory (bind-mounted).
MN_SOCK_DIR=${MN_SOCK_DIR:-$PWD/.data/mn}

# The host engine's docker CLI, whatever DOCKER_HOST says (the script points it at a node).
hd() { env -u DOCKER_HOST docker "$@"; }
mn_name() { echo "${MN_PREFIX}-$1"; }
mn_sock() { echo "$MN_SOCK_DIR/$1/docker.sock"; }
# mn N ARGS...: the docker CLI against node N's engine.
mn() { local n=$1; shift; DOCKER_HOST="unix://$(mn_sock "$n")" docker "$@"; }
mn_ip() { hd inspect -f "{{ (index .NetworkSettings.Networks \"$MN_NET\").IPAddress }}" "$(mn_name "$1")"; }

# The node image: the Debian base (bin/build-base-images.sh) plus docker.io and iptables.
build_mn_image() {
  [ "${REBUILD:-0}" != 1 ] && hd image inspect "$MN_IMAGE" >/dev/null 2>&1 && { step "$MN_IMAGE present"; return; }
  step "node image $MN_IMAGE (Debian's docker.io + iptables, no registry)"
  local ctx=.data/mn-image
  rm -rf "$ctx" && mkdir -p "$ctx"
  cat >"$ctx/node-start.sh" <<'EOF'
#!/bin/sh
# The engine's cgroups: fresh cgroup v1 hierarchies in the node's own cgroup namespace (the
# ones the container gets are read-only); on cgroup v2 the mount is already writable.
if [ ! -f /sys/fs/cgroup/cgroup.controllers ]; then
  mount -t tmpfs cgroup_root /sys/fs/cgroup
  for c in $(awk 'NR>1 && $2!=0 && $4==1 {print $1}' /proc/cgroups) name=systemd; do
    d=${c#name=}; mkdir -p "/sys/fs/cgroup/$d"
    mount -t cgroup -o "$( [ "$d" = "$c" ] && echo "$c" || echo "none,$c")" cgroup "/sys/fs/cgroup/$d" || rmdir "/sys/fs/cgroup/$d"
  done
fi
# A node after SIGKILL keeps its stale pid files: dockerd would refuse to start.
rm -rf /var/run/docker.pid /var/run/docker /run/containerd /var/run/faas-mn/docker.sock
mkdir -p /run/faas-mn
exec dockerd --host=unix:///var/run/docker.sock --host=unix:///run/faas-mn/docker.sock \
  --data-root=/var/lib/docker --storage-driver=overlay2 --log-level=warn
EOF
  cat >"$ctx/Dockerfile" <<EOF
FROM $DEBIAN_BASE_IMAGE
RUN apt-get update -qq \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io iptables ca-certificates procps \\
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* \\
 && dockerd --version
COPY node-start.sh /usr/local/bin/node-start.sh
RUN chmod 755 /usr/local/bin/node-start.sh
VOLUME /var/lib/docker
CMD ["/usr/local/bin/node-start.sh"]
EOF
  hd build -t "$MN_IMAGE" "$ctx" >"$ctx.log" 2>&1 || { tail -n 30 "$ctx.log" >&2; return 1; }
}

# Starts node N (creates its container and data volume the first time).
mn_start_node() {
  local n=$1 name
  name=$(mn_name "$n")
  mkdir -p "$MN_SOCK_DIR/$n"
  if hd container inspect "$name" >/dev/null 2>&1; then
    hd start "$name" >/dev/null
  else
    hd volume create --label "faas.mn=$MN_RUN" "${name}-data" >/dev/null
    # Not --privileged: this machine's engine cannot grant CAP_SYS_RESOURCE (outside its
    # bounding set), and --privileged asks for every capability. Every other one, no seccomp
    # or AppArmor profile, /proc/sys writable, a cgroup namespace of its own.
    hd run -d --cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined \
      --security-opt apparmor=unconfined --security-opt systempaths=unconfined --cgroupns private \
      --init --name "$name" --hostname "$name" --network "$MN_NET" \
      --label "faas.mn=$MN_RUN" -v "${name}-data:/var/lib/docker" -v "$MN_SOCK_DIR/$n:/run/faas-mn" \
      "$MN_IMAGE" >/dev/null
  fi
}

# Polls until node N's engine answers (deadline in seconds, default 60).
mn_wait_engine() {
  local n=$1 deadline=$((SECONDS + ${2:-60}))
  until mn "$n" info >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || { hd logs --tail 20 "$(mn_name "$n")" >&2; return 1; }
    sleep 1
  done
}

# The bridge network, MN_NODES nodes, and one swarm: node 1 manages, the others work.
mn_up() {
  local n token
  hd network inspect "$MN_NET" >/dev/null 2>&1 || hd network create --label "faas.mn=$MN_RUN" "$MN_NET" >/dev/null
  for n in $(seq 1 "$MN_NODES"); do mn_start_node "$n"; done
  for n in $(seq 1 "$MN_NODES"); do mn_wait_engine "$n" 90; done
  mn 1 swarm init --advertise-addr "$(mn_ip 1)" >/dev/null
  token=$(mn 1 swarm join-token -q worker)
  for n in $(seq 2 "$MN_NODES"); do
    mn "$n" swarm join --advertise-addr "$(mn_ip "$n")" --token "$token" "$(mn_ip 1):2377" >/dev/null
  done
  mn 1 node ls
}

# mn_load IMAGE...: one `docker save` (shared layers once) teed into every node's `docker load` at once.
mn_load() {
  local n sinks=()
  for n in $(seq 2 "$MN_NODES"); do sinks+=(">(DOCKER_HOST=unix://$(mn_sock "$n") docker load -q >/dev/null)"); done
  eval "hd save \"\$@\" | tee ${sinks[*]} | mn 1 load -q >/dev/null"
  # The other loads may still be writing when node 1's ends.
  local deadline=$((SECONDS + 300))
  for n in $(seq 1 "$MN_NODES"); do
    until mn "$n" image inspect "$@" >/dev/null 2>&1; do
      [ "$SECONDS" -lt "$deadline" ] || { echo "node $n lacks some of: $*" >&2; return 1; }
      sleep 2
    done
  done
}

# Removes the nodes, their volumes and the network (only what carries this run's label). A
# node's removal can fail under load (its engine's mounts still busy): retried for 60 s.
mn_down() {
  local deadline=$((SECONDS + 60)) left
  while left=$(hd ps -aq --filter "label=faas.mn=$MN_RUN") && [ -n "$left" ]; do
    xargs -r env -u DOCKER_HOST docker rm -f -v <<<"$left" >/dev/null 2>&1 || true
    [ "$SECONDS" -lt "$deadline" ] || { echo "cannot remove containers $(xargs <<<"$left")" >&2; return 1; }
    sleep 1
  done
  hd volume ls -q --filter "label=faas.mn=$MN_RUN" | xargs -r env -u DOCKER_HOST docker volume rm >/dev/null 2>&1 || true
  hd network rm "$MN_NET" >/dev/null 2>&1 || true
  rm -rf "$MN_SOCK_DIR"
}
