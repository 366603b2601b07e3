# Checks and measures for bin/e2e-multinode.sh on the faas-mn swarm (source mn-nodes.sh and
# swarm.sh first; DOCKER_HOST points at a live manager node).
# shellcheck shell=bash

# The node (1..MN_NODES) a running task of SERVICE is on, one line per task.
mn_task_nodes() {
  docker service ps --filter desired-state=running --format '{{.Node}} {{.CurrentState}}' "${FAAS_STACK}_$1" \
    | awk '$2=="Running"{sub(/^.*-/, "", $1); print $1}'
}

# "node:count ..." of SERVICE's running tasks.
mn_spread() { mn_task_nodes "$1" | sort | uniq -c | awk '{printf "%s%s:%s", (NR>1?" ":""), "n" $2, $1}'; }

# /jsz of the first NATS server that answers (on any live node).
mn_jsz() {
  local n cid jsz
  for n in $(seq 1 "$MN_NODES"); do
    mn "$n" info >/dev/null 2>&1 || continue
    for cid in $(mn "$n" ps -q --filter "label=com.docker.stack.namespace=$FAAS_STACK" --filter name=_nats-); do
      jsz=$(mn "$n" exec "$cid" wget -q -O- http://127.0.0.1:8222/jsz 2>/dev/null) && grep -q '"leader"' <<<"$jsz" \
        && { echo "$jsz"; return 0; }
    done
  done
  return 1
}

# /jsz of NATS server SERVER of STACK, from its task on whichever node runs it (heal_nats_meta's
# NATS_JSZ: the deploy's wait restarts a server the meta group left out, wherever it runs).
mn_server_jsz() {
  local n cid
  for n in $(seq 1 "$MN_NODES"); do
    cid=$(mn "$n" ps -q --filter "name=${1}_${2}." 2>/dev/null | head -n 1)
    [ -n "$cid" ] && { mn "$n" exec "$cid" wget -q -O- http://127.0.0.1:8222/jsz 2>/dev/null; return; }
  done
  return 1
}

# The NATS server (nats-1..3) leading the JetStream meta group.
mn_meta_leader() { mn_jsz | grep -oE '"leader": *"nats-[0-9]+"' | head -n 1 | grep -oE 'nats-[0-9]+'; }

# Each NATS server on its own node, every server routed to the two others, meta group of 3.
mn_check_nats() {
  local i nodes
  for i in 1 2 3; do
    nodes=$(mn_task_nodes "nats-$i" | xargs)
    [ "$nodes" = "$i" ] || fail "nats-$i runs on node(s) '$nodes', want node $i"
  done
  grep -qE '"cluster_size": *3' <<<"$(mn_jsz)" || fail "the JetStream meta group is not 3 servers: $(mn_jsz | head -c 400)"
  echo "    ok  nats-1, nats-2, nats-3 on nodes 1, 2, 3; meta group of 3, leader $(mn_meta_leader)"
}

# Managed (function) containers on node N created before ISO time T, and the stack's task
# containers still running there from before T: "<managed> <tasks>".
mn_left_on_node() {
  local n=$1 t=$2 managed tasks
  # A container removed between the listing and the inspect is gone: not counted, no error shown.
  managed=$(mn "$n" ps -aq --filter label=faas.managed=true | xargs -r docker -H "unix://$(mn_sock "$n")" inspect -f '{{.Created}}' 2>/dev/null \
    | awk -v t="$t" '$1 < t' | wc -l)
  tasks=$(mn "$n" ps -q --filter "label=com.docker.stack.namespace=$FAAS_STACK" | xargs -r docker -H "unix://$(mn_sock "$n")" inspect -f '{{.Created}}' 2>/dev/null \
    | awk -v t="$t" '$1 < t' | wc -l)
  echo "$managed $tasks"
}

# Swarm's view: polls until node N is Ready again (deadline 120 s).
mn_wait_node_ready() {
  local n=$1 deadline=$((SECONDS + 120))
  until docker node ls --format '{{.Hostname}} {{.Status}}' | grep -qx "$(mn_name "$n") Ready"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "node $n is not Ready in the swarm 120 s after its restart"
    sleep 1
  done
}

# The spawners' "warm run started" lines (debug), from every spawner container on every node,
# exited ones too: `docker service logs` hung here after a node loss.
mn_spawner_starts() {
  local n c
  for n in $(seq 1 "$MN_NODES"); do
    for c in $(mn "$n" ps -aq --filter "label=com.docker.swarm.service.name=${FAAS_STACK}_spawner-service"); do
      timeout 60 env DOCKER_HOST="unix://$(mn_sock "$n")" docker logs "$c" 2>&1 | grep '"warm run started"' || true
    done
  done
}

# Runs counted from the spawners' log: execution ids seen twice (the ids kept in
# .data/mn-started-twice.txt, to look their records and spawner logs up with MN_KEEP=1).
mn_started_twice() { mn_spawner_starts | grep -oE '"executionId":"[^"]+"' | sort | uniq -d | tee .data/mn-started-twice.txt | wc -l; }
