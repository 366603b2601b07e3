# Swarm helpers shared by run.sh, stop.sh and e2e-swarm.sh (source engine.sh first).
# shellcheck shell=bash

die() { printf '\nERROR: %s\n' "$*" >&2; exit 1; }

# The docker CLI and an engine that answers (installs docker.io on Debian as root if missing).
require_docker() {
  if ! command -v docker >/dev/null 2>&1; then
    command -v apt-get >/dev/null 2>&1 || die "docker is not installed"
    step "installing docker.io"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io
  fi
  ensure_docker_engine
}

# Joins nothing: makes this engine a single-node swarm manager when it is in no swarm.
ensure_swarm() {
  local state
  state=$(docker info -f '{{.Swarm.LocalNodeState}}')
  if [ "$state" = active ]; then
    [ "$(docker info -f '{{.Swarm.ControlAvailable}}')" = true ] \
      || die "this node is a swarm worker; run this on a manager"
    step "swarm active (node $(docker info -f '{{.Swarm.NodeID}}'))"
    return
  fi
  step "docker swarm init"
  if ! docker swarm init >/dev/null 2>.data/swarm-init.err; then
    # Several interfaces or none with a default route: auto-detection needs help.
    docker swarm init --advertise-addr 127.0.0.1 >/dev/null || { cat .data/swarm-init.err >&2; die "swarm init failed"; }
  fi
}

# Creates a random secret unless it exists; prints only a fingerprint, never the value.
ensure_secret() {
  local name=$1 value fp
  if docker secret inspect "$name" >/dev/null 2>&1; then
    step "secret $name exists (kept)"
    return
  fi
  value=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  fp=$(printf '%s' "$value" | sha256sum | cut -c1-12)
  printf '%s' "$value" | docker secret create --label faas.stack="${FAAS_STACK:-faas}" "$name" - >/dev/null
  unset value
  step "secret $name created (sha256 fingerprint $fp...)"
}

# ensure_kept_secret NAME FILE: as ensure_secret, and the value is also written to FILE (owner
# only) for the operator to read: Docker secrets cannot be read back. An existing secret is kept
# as is (and FILE with it).
ensure_kept_secret() {
  local name=$1 file=$2 value
  if docker secret inspect "$name" >/dev/null 2>&1; then
    step "secret $name exists (kept; its value was saved in $file when it was made)"
    return
  fi
  value=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
  (umask 077 && printf '%s' "$value" >"$file")
  printf '%s' "$value" | docker secret create --label faas.stack="${FAAS_STACK:-faas}" "$name" - >/dev/null
  unset value
  step "secret $name created (value in $file)"
}

# NATS volumes are pinned to nodes by labels faas.nats-1..3; a label no node carries goes to
# this node (single-node swarms get all three; label other nodes first to spread them).
ensure_nats_labels() {
  local self i label have
  self=$(docker info -f '{{.Swarm.NodeID}}')
  for i in 1 2 3; do
    label=faas.nats-$i
    have=$(docker node ls -q | xargs docker node inspect -f "{{ index .Spec.Labels \"$label\" }}" | grep -c '^true$' || true)
    if [ "$have" -eq 0 ]; then
      docker node update --label-add "$label=true" "$self" >/dev/null
      echo "    node $self labelled $label=true"
    fi
  done
}

# Swarm configs are immutable: their names carry a hash of the content, so an edited file
# becomes a new config and the stack update rolls the services onto it.
export_config_hashes() {
  NATS_CONF_HASH=$(sha256sum nats-cluster.conf | cut -c1-12)
  NATS_AUTH_CONF_HASH=$(sha256sum nats-auth.conf | cut -c1-12)
  APISIX_CONF_HASH=$(sha256sum apisix-config.yaml | cut -c1-12)
  NATS_HEALTH_HASH=$(sha256sum nats-health.sh | cut -c1-12)
  DOCKER_GID=${DOCKER_GID:-$(stat -c %g /var/run/docker.sock)}
  export NATS_CONF_HASH NATS_AUTH_CONF_HASH APISIX_CONF_HASH NATS_HEALTH_HASH DOCKER_GID
}

# The stack's internal credentials (docs/internal-trust.md): a NATS password per service user
# and one for the cluster's routes, and etcd's root and APISIX users. Created once, then kept.
INTERNAL_SECRETS=(nats_route_password nats_auth_password nats_registry_password nats_publisher_password nats_spawner_password
  nats_autoscaler_password
  etcd_root_password etcd_apisix_password)
ensure_internal_secrets() {
  local prefix=$1 name
  for name in "${INTERNAL_SECRETS[@]}"; do ensure_secret "${prefix}_$name"; done
}

# deploy_stack STACK FILE...: create or update in place (images are local: no registry lookup).
deploy_stack() {
  local stack=$1 args=() f
  shift
  for f in "$@"; do args+=(-c "$f"); done
  docker stack deploy --resolve-image never --prune "${args[@]}" "$stack"
}

# One line per service: "name running desired state", where state is ok, wait or failed.
# One-shot services (restart on-failure, e.g. api-gateway) are ok once a task completed.
stack_status() {
  local stack=$1 name replicas running desired update mode state
  docker service ls --filter "label=com.docker.stack.namespace=$stack" --format '{{.Name}} {{.Replicas}}' |
  while read -r name replicas _; do
    running=${replicas%%/*} desired=${replicas#*/}
    update=$(docker service inspect -f '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}' "$name")
    mode=$(docker service inspect -f '{{.Spec.TaskTemplate.RestartPolicy.Condition}}' "$name")
    state=wait
    if [ "$mode" = on-failure ] && [ "$desired" -gt 0 ]; then
      # The newest task of the only slot comes first.
      docker service ps --format '{{.CurrentState}}' "$name" | head -n 1 \
        | grep -q '^Complete' && state=ok running=$desired
    elif [ "$running" -ge "$desired" ] && [ "$update" != updating ] && [ "$update" != rollback_started ]; then
      state=ok
    fi
    # STACK_ROLLBACK_OK=1: a completed rollback is the outcome of an update the caller made and
    # gave up on (bin/e2e-multinode.sh's spawner rebalance), not of this deploy.
    case $update in
      rollback_completed) [ "${STACK_ROLLBACK_OK:-0}" = 1 ] || state=failed ;;
      rollback_paused|paused) state=failed ;;
    esac
    echo "${name#"${stack}"_} $running $desired $state"
  done
}

# NATS 2.10 sometimes forms the JetStream meta group with two of the three nodes when one
# could not resolve its peers' names at start (seen on this single-node swarm): the third is
# routed but never becomes a peer, and every R3 bucket then fails with "no suitable peers for
# placement". Restarting the node left out lets it join. The meta leader's /jsz lists the
# members; restart the others. NATS_JSZ names the function that reads a server's /jsz (STACK
# SERVER): by default a NATS task on this node (docker exec); bin/e2e-multinode.sh reads every node's.
heal_nats_meta() {
  local stack=$1 node jsz leader='' leader_jsz='' members
  for node in nats-1 nats-2 nats-3; do
    jsz=$("${NATS_JSZ:-local_nats_jsz}" "$stack" "$node") || return 0
    if grep -qE "\"leader\": *\"$node\"" <<<"$jsz"; then leader=$node leader_jsz=$jsz; fi
  done
  [ -n "$leader_jsz" ] || return 0
  grep -qE '"cluster_size": *3' <<<"$leader_jsz" && return 0
  members="$leader $(grep -oE '"name": *"nats-[0-9]+"' <<<"$leader_jsz" | sed -E 's/.*"(nats-[0-9]+)"/\1/' | xargs)"
  for node in nats-1 nats-2 nats-3; do
    grep -qw "$node" <<<"$members" && continue
    echo "  NATS: $node is not in the JetStream meta group (members: $members); restarting it"
    docker service update --force --detach "${stack}_${node}" >/dev/null
  done
}

# /jsz of NATS server SERVER of STACK, from its task on this node.
local_nats_jsz() {
  local cid
  cid=$(docker ps -q --filter "name=${1}_${2}." | head -n 1)
  [ -n "$cid" ] && docker exec "$cid" wget -q -O- http://127.0.0.1:8222/jsz 2>/dev/null
}

# Waits until every service of STACK is ok, printing "name x/y" whenever something changes.
wait_stack_ready() {
  local stack=$1 timeout=${2:-600} start=$SECONDS status last='' line pending
  step "waiting for $stack to be healthy (timeout ${timeout}s)"
  while :; do
    status=$(stack_status "$stack")
    line=$(awk '{printf "%s %s/%s  ", $1, $2, $3}' <<<"$status")
    if [ "$line" != "$last" ]; then
      printf '  [%3ds] %s\n' $((SECONDS - start)) "$line"
      last=$line
    fi
    if grep -q ' failed$' <<<"$status"; then
      stack_diagnose "$stack"; die "update failed and was rolled back: $(awk '$4=="failed"{print $1}' <<<"$status" | xargs)"
    fi
    pending=$(awk '$4!="ok"{print $1}' <<<"$status")
    if [ -z "$pending" ] && [ -n "$status" ]; then
      step "$stack healthy after $((SECONDS - start)) s"
      return 0
    fi
    if [ $((SECONDS - start)) -ge 30 ] && [ $(((SECONDS - start) % 15)) -lt 3 ]; then
      heal_nats_meta "$stack"
    fi
    if [ $((SECONDS - start)) -ge "$timeout" ]; then
      stack_diagnose "$stack" $pending
      die "not healthy within ${timeout}s: $(xargs <<<"$pending")"
    fi
    sleep 3
  done
}

# Task errors and recent logs of the given services (all when none given).
stack_diagnose() {
  local stack=$1 svc
  shift
  for svc in "${@:-}"; do
    [ -n "$svc" ] || continue
    echo "--- ${stack}_$svc: tasks" >&2
    docker service ps --no-trunc --format '  {{.Name}} {{.CurrentState}} {{.Error}}' "${stack}_$svc" 2>&1 | head -n 8 >&2
    echo "--- ${stack}_$svc: last log lines" >&2
    docker service logs --tail 8 --no-task-ids "${stack}_$svc" 2>&1 | tail -n 8 >&2
  done
}

# Removes STACK and waits until its tasks and network are gone (volumes stay).
remove_stack() {
  local stack=$1 i
  docker stack rm "$stack" >/dev/null 2>&1 || true
  for i in $(seq 1 90); do
    if [ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$stack")" ] \
      && [ -z "$(docker network ls -q --filter "label=com.docker.stack.namespace=$stack")" ]; then
      return 0
    fi
    sleep 1
  done
  echo "warning: $stack still has containers or networks after 90 s" >&2
}
