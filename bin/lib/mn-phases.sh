# The phases of bin/e2e-multinode.sh: deploy, the curl flow, scale, a node killed under load.
# shellcheck shell=bash

# Points the docker CLI at the manager, node 1 (never killed: the phases kill workers).
mn_use_manager() {
  export DOCKER_HOST="unix://$(mn_sock 1)"
  docker info >/dev/null 2>&1 || fail "the manager's engine does not answer"
}

mn_deploy() {
  local i t=$SECONDS
  mn_use_manager
  step "secrets, NATS labels (nats-i on node i), deploy stack $FAAS_STACK"
  ensure_secret "${FAAS_SECRET_PREFIX}_jwt_secret"
  ensure_secret "${FAAS_SECRET_PREFIX}_apisix_admin_key"
  ensure_secret "${FAAS_SECRET_PREFIX}_secrets_key"
  ensure_kept_secret "${FAAS_SECRET_PREFIX}_admin_password" .data/mn-admin-password
  ensure_internal_secrets "$FAAS_SECRET_PREFIX"
  for i in 1 2 3; do docker node update --label-add "faas.nats-$i=true" "$(mn_name "$i")" >/dev/null; done
  # The spawner's group is the nodes' docker socket group (one image: the same gid on every node).
  DOCKER_GID=$(hd exec "$(mn_name 1)" stat -c %g /var/run/docker.sock)
  export DOCKER_GID
  export_config_hashes
  E2E_EDGE_HASH=$(sha256sum bin/lib/e2e-edge.mjs | cut -c1-12)
  export E2E_EDGE_HASH NODE_IMAGE FAAS_ADMIN_SUBNET=10.251.7.0/24
  deploy_stack "$FAAS_STACK" docker-compose.yml docker-compose.e2e.yml docker-compose.multinode.yml >/dev/null
  wait_stack_ready "$FAAS_STACK" "${READY_TIMEOUT:-600}"
  DEPLOY_SECONDS=$((SECONDS - t))
  EDGES=$(for i in $(seq 1 "$MN_NODES"); do printf 'http://%s:%s,' "$(mn_ip "$i")" "$E2E_EDGE_PORT"; done)
  EDGES=${EDGES%,}
  step "placement"
  mn_check_nats
  echo "    spawners: $(mn_spread spawner-service); publisher: $(mn_spread publisher-service); registry: $(mn_spread registry-service); auth: $(mn_spread auth-service); edge: $(mn_spread edge)"
}

# mn_http METHOD PATH [BODY]: through node 1's edge; sets STATUS and BODY.
mn_http() {
  local args=(-s -m 90 -o .data/mn-body -w '%{http_code}' -X "$1" -H 'Content-Type: application/json')
  [ -n "${3:-}" ] && args+=(-d "$3")
  [ -n "${TOKEN:-}" ] && args+=(-H "Authorization: Bearer $TOKEN")
  STATUS=$(curl "${args[@]}" "${EDGES%%,*}$2") || STATUS=000
  BODY=$(cat .data/mn-body 2>/dev/null || true)
}

mn_expect() { [ "$STATUS" = "$1" ] || fail "$2: expected HTTP $1, got $STATUS: $BODY"; echo "    ok  $2 -> $STATUS"; }

mn_flow() {
  local user="mn_$(date +%s)_$RANDOM" deadline=$((SECONDS + 60))
  FN_NAME="echo_$RANDOM"
  step "curl flow through the edge (${EDGES%%,*})"
  until curl -sf -m 5 -o /dev/null "${EDGES%%,*}/auth/health"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "the edge does not answer"
    sleep 1
  done
  mn_http POST /auth/register "{\"username\":\"$user\",\"password\":\"mn-s3cret-pass\"}"; mn_expect 201 "POST /auth/register"
  mn_http POST /auth/login "{\"username\":\"$user\",\"password\":\"mn-s3cret-pass\"}"; mn_expect 200 "POST /auth/login"
  TOKEN=$(sed -nE 's/.*"token":"([^"]*)".*/\1/p' <<<"$BODY")
  [ -n "$TOKEN" ] || fail "no token in the login answer"
  mn_http POST /registry/functions "{\"name\":\"$FN_NAME\",\"image\":\"$FN_IMAGE\"}"; mn_expect 201 "POST /registry/functions"
  mn_http POST /publisher/publish "{\"name\":\"$FN_NAME\",\"argument\":\"hello-nodes\"}"; mn_expect 200 "POST /publisher/publish"
  grep -q '"status":"succeeded"' <<<"$BODY" && grep -q '"result":"hello-nodes:' <<<"$BODY" || fail "unexpected result: $BODY"
  echo "    ok  result $(sed -nE 's/.*"result":"([^"]*)".*/\1/p' <<<"$BODY")"
}

mn_scale() {
  local want=$1 deadline=$((SECONDS + 180)) nodes
  step "docker service scale ${FAAS_STACK}_spawner-service=$want"
  docker service scale --detach "${FAAS_STACK}_spawner-service=$want" >/dev/null
  until [ "$(mn_task_nodes spawner-service | wc -l)" -eq "$want" ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail "spawners: $(mn_task_nodes spawner-service | wc -l) running, want $want"
    sleep 2
  done
  nodes=$(mn_task_nodes spawner-service | sort -u | wc -l)
  echo "    spawners: $(mn_spread spawner-service)"
  [ "$nodes" -eq "$MN_NODES" ] || fail "spawners on $nodes of $MN_NODES nodes"
}

# The worker holding the NATS meta leader. On the manager, the leader is moved first: nats-1
# (on node 1) restarted, so a worker's server takes over.
mn_victim_leader() {
  local l deadline=$((SECONDS + 120))
  l=$(mn_meta_leader) || fail "no NATS meta leader"
  if [ "$l" = nats-1 ]; then
    echo "    the NATS meta leader is on the manager: restarting nats-1 so that a worker's server leads" >&2
    docker service update --force --detach "${FAAS_STACK}_nats-1" >/dev/null
    until l=$(mn_meta_leader) && [ "$l" != nats-1 ]; do
      [ "$SECONDS" -lt "$deadline" ] || fail "the NATS meta leader stayed on nats-1"
      sleep 2
    done
    STACK_ROLLBACK_OK=1 wait_stack_ready "$FAAS_STACK" 300 >&2
  fi
  echo "${l#nats-}"
}
# A worker not holding the NATS meta leader.
mn_victim_not_leader() {
  local l n
  l=$(mn_meta_leader) || fail "no NATS meta leader"
  for n in $(seq "$MN_NODES" -1 2); do [ "nats-$n" != "$l" ] && { echo "$n"; return; }; done
}
