# A node SIGKILLed under steady load and started again (bin/e2e-multinode.sh): one table row
# per phase in MN_TABLE. Source mn-nodes.sh, mn-checks.sh and mn-phases.sh first.
# shellcheck shell=bash

# Polls until the load has accepted at least $1 executions (deadline $2 s, default 180; then
# fails, or with $3 = soft goes on), printing the load's progress every 30 s.
mn_wait_load() {
  local want=$1 deadline=$((SECONDS + ${2:-180})) got shown=$SECONDS
  while :; do
    got=$(mn_accepted)
    [ "${got:-0}" -ge "$want" ] && return 0
    kill -0 "$LOAD_PID" 2>/dev/null || fail "the load generator ended early"
    if [ "$SECONDS" -ge "$deadline" ]; then
      [ "${3:-}" = soft ] || fail "the load reached $got accepted executions, want $want"
      echo "    the load reached $got accepted executions, not $want, in ${2:-180} s: going on"
      return 0
    fi
    [ $((SECONDS - shown)) -ge 30 ] && { shown=$SECONDS; echo "    $(date -u +%T) load: $(cat .data/mn-progress 2>/dev/null) (accepted, sync answered, ...)"; }
    sleep 1
  done
}
mn_accepted() { awk '{print $1}' .data/mn-progress 2>/dev/null || echo 0; }

mn_start_load() {
  rm -f .data/mn-stop .data/mn-progress .data/mn-load.json
  EDGES=$EDGES TOKEN=$TOKEN FN=$FN_NAME OUT=.data/mn-load.json PROGRESS=.data/mn-progress STOP=.data/mn-stop \
    node bin/lib/mn-load.mjs >.data/mn-load.log 2>&1 &
  LOAD_PID=$!
}

# Polls (up to 240 s) until node N keeps nothing from before ISO time T; writes
# "<managed> <tasks> <seconds since FROM>" to FILE. Polls only while the node's engine answers
# (a listing that failed would read as nothing left).
mn_wait_swept() {
  local n=$1 t=$2 from=$3 file=$4 left
  while :; do
    if mn "$n" info >/dev/null 2>&1 && left=$(mn_left_on_node "$n" "$t"); then
      echo "$left $((SECONDS - from))" >"$file"
      [ "$left" = "0 0" ] && return 0
    fi
    [ $((SECONDS - from)) -lt 240 ] || return 0
    sleep 2
  done
}

# What node N's node sweeper logged about removals (its warn lines), without `docker service logs`.
mn_sweeper_said() {
  local c
  c=$(mn "$1" ps -q --filter "label=com.docker.swarm.service.name=${FAAS_STACK}_node-sweeper" | head -n 1)
  [ -n "$c" ] || { echo "no task running"; return; }
  timeout 30 env DOCKER_HOST="unix://$(mn_sock "$1")" docker logs "$c" 2>&1 | grep -o '"removed":\[[^]]*\]' | head -c 600 || echo "nothing removed"
}

# Seconds from epoch time T to the creation and start of node N's newest node-sweeper container,
# if Swarm made one after T (the task placed there on the node's return).
mn_sweeper_timeline() {
  local c created started line logged
  c=$(mn "$1" ps -aq --filter "label=com.docker.swarm.service.name=${FAAS_STACK}_node-sweeper" | head -n 1)
  [ -n "$c" ] && read -r created started < <(mn "$1" inspect -f '{{.Created}} {{.State.StartedAt}}' "$c") \
    && [ "$(date -d "$created" +%s)" -ge "$2" ] || { echo "no node-sweeper container made since"; return; }
  started=$(date -d "$started" +%s)
  [ "$started" -ge "$2" ] && started="+$((started - $2)) s" || started="not yet"
  # Its first removal line: when (pino's time, ms) and how long that sweep took (sweepMs).
  line=$(timeout 30 env DOCKER_HOST="unix://$(mn_sock "$1")" docker logs "$c" 2>&1 | grep -m 1 '"removed":' || true)
  logged=$(grep -oE '"time":[0-9]+' <<<"$line" | cut -d: -f2)
  [ -n "$logged" ] && logged=", removal logged +$((logged / 1000 - $2)) s (that sweep $(grep -oE '"sweepMs":[0-9]+' <<<"$line" | cut -d: -f2) ms, $(grep -oE '"processMs":[0-9]+' <<<"$line" | cut -d: -f2) ms after its process began)"
  echo "node-sweeper container created +$(($(date -d "$created" +%s) - $2)) s, started $started${logged}"
}

# mn_kill_phase LABEL NODE
mn_kill_phase() {
  local label=$1 victim=$2 held at iso killed restarted restarted_at engine_s ready_s recover twice_before out left_fn left_tasks
  [ -n "$victim" ] || fail "$label: no node to kill"
  step "$label: node $victim ($(mn_name "$victim")) SIGKILLed under load"
  mn_use_manager
  twice_before=$(mn_started_twice)
  mn_start_load
  mn_wait_load 20
  held=$(mn "$victim" ps -q --filter label=faas.managed=true | wc -l)
  iso=$(date -u +%Y-%m-%dT%H:%M:%S)
  at=$(mn_accepted)
  hd kill -s KILL "$(mn_name "$victim")" >/dev/null
  killed=$SECONDS
  echo "    killed at $iso with $at accepted; it ran $held function containers and tasks $(mn_task_nodes spawner-service | grep -c "^$victim$") spawners"
  mn_wait_load $((at + 40)) 300 soft
  echo "    $(($(mn_accepted) - at)) more accepted while it was down ($((SECONDS - killed)) s); starting it again"
  mn_start_node "$victim"
  restarted=$SECONDS
  restarted_at=$(date +%s)
  mn_wait_engine "$victim" 90 || fail "node $victim's engine did not come back"
  engine_s=$((SECONDS - restarted))
  # Measured from the restart while the stack recovers: the node sweeper (docker-compose.yml)
  # removes what the node's dead spawners left, with no spawner placed there.
  rm -f .data/mn-swept
  mn_wait_swept "$victim" "$iso" "$restarted" .data/mn-swept &
  SWEPT_PID=$!
  mn_wait_node_ready "$victim"
  ready_s=$((SECONDS - restarted))
  # A previous phase's rebalance may have rolled back (a spawner not healthy in time at load 30):
  # the services must be at their count, whatever that update's outcome.
  STACK_ROLLBACK_OK=1 wait_stack_ready "$FAAS_STACK" 300 >/dev/null || fail "the stack did not recover"
  recover=$((SECONDS - restarted))
  echo "    recovered in $recover s after the restart; spawners: $(mn_spread spawner-service); left from before the kill: $(mn_left_on_node "$victim" "$iso")"
  wait "$SWEPT_PID" || true
  SWEPT_PID=
  read -r left_fn left_tasks LEFT_S <.data/mn-swept || fail "no count of what node $victim kept"
  LEFT="$left_fn $left_tasks"
  echo "    left from before the kill (function containers, task containers): $LEFT, $LEFT_S s after the restart; node sweeper: $(mn_sweeper_said "$victim")"
  # Where the wait for the sweep goes: the engine's own start, Swarm's view of the node, the task.
  echo "    after the restart: engine answered +${engine_s} s, node Ready +${ready_s} s, $(mn_sweeper_timeline "$victim" "$restarted_at")"
  # Swarm gives a returning node no tasks back: the runbook's rebalance (docs/deployment.md),
  # so that the next phase's node runs spawners again.
  # Not a target: a rebalance still rolling after 300 s (seen at load 70) does not end the phase
  # before its row (wait_stack_ready exits the shell it runs in: a subshell here).
  docker service update --force --detach "${FAAS_STACK}_spawner-service" >/dev/null
  if (STACK_ROLLBACK_OK=1 wait_stack_ready "$FAAS_STACK" 300 >/dev/null 2>&1); then
    echo "    rebalance ended ($(docker service inspect -f '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}' "${FAAS_STACK}_spawner-service")) $((SECONDS - restarted)) s after the restart; spawners: $(mn_spread spawner-service)"
  else
    echo "    the spawners' rebalance still rolling $((SECONDS - restarted)) s after the restart: going on; spawners: $(mn_spread spawner-service)"
  fi
  mn_wait_load $(($(mn_accepted) + 20))
  touch .data/mn-stop
  wait "$LOAD_PID" || fail "the load generator failed: $(tail -n 5 .data/mn-load.log)"
  LOAD_PID=
  out=$(cat .data/mn-load.json)
  node -e "for (const l of JSON.parse(process.argv[1]).fiveXxSeen ?? []) console.log('    5xx answer: ' + l)" "$out"
  mn_row "$label" "$out" $(($(mn_started_twice) - twice_before)) "$recover" "${LEFT// /+} after ${LEFT_S} s" "$((SECONDS - killed)) s, node $victim killed with $held function containers running"
}

# A JSON field of the load's summary.
mn_field() { node -e "const o=JSON.parse(process.argv[1]); const v=o[process.argv[2]]; console.log(typeof v==='object'?JSON.stringify(v):v)" "$1" "$2"; }

# mn_row LABEL JSON TWICE RECOVER LEFT PHASE
mn_row() {
  local j=$2 five
  five=$(node -e "console.log(Object.values(JSON.parse(process.argv[1]).fiveXx).reduce((a,b)=>a+b,0))" "$j")
  printf '%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$1" "$(mn_field "$j" submitted)" "$(mn_field "$j" final)" "$(mn_field "$j" lost)" \
    "$(mn_field "$j" duplicateFinals)" "$3" "$five" "$4" "$5" \
    "statuses $(mn_field "$j" statuses); 5xx $(mn_field "$j" fiveXx); refused connections $(mn_field "$j" refused), no answer in 90 s $(mn_field "$j" hung), gave up $(mn_field "$j" gaveUp), redelivered $(mn_field "$j" redelivered), records saying rerun $(mn_field "$j" rerun), wrong output $(mn_field "$j" wrongOutput), spawners $(mn_field "$j" spawners), 429s $(mn_field "$j" throttled); phase $6" >>"$MN_TABLE"
}

mn_print_table() {
  { echo "scenario|submitted|final|lost|duplicate finals|started twice|5xx|s to recover|left on node (fn+task)|notes"; cat "$MN_TABLE"; } \
    | column -t -s '|' -o ' | '
}

# Targets (issue 24): 0 lost, 0 duplicate finals, no retrying client given up on a 5xx, and
# nothing left on the node a minute after its return.
mn_check_targets() {
  local label sub fin lost dup twice five rec left notes secs
  while IFS='|' read -r label sub fin lost dup twice five rec left notes; do
    [ "$lost" -eq 0 ] || fail "$label: $lost executions not final"
    [ "$dup" -eq 0 ] || fail "$label: $dup executions with two final results"
    grep -q 'gave up 0,' <<<"$notes" || fail "$label: a retrying client gave up: $notes"
    secs=$(sed -nE 's/.* after ([0-9]+) s$/\1/p' <<<"$left")
    [ "${left%% *}" = "0+0" ] && [ "${secs:-999}" -le 60 ] || fail "$label: the returned node kept $left containers from before the kill"
  done <"$MN_TABLE"
}
