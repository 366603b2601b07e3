# The autoscaler phase of bin/e2e-swarm.sh (sourced there; uses its http, fail, wait_replicas).
# The stack is updated with docker-compose.autoscale.yml and short settings; a burst of queued
# executions from two users (10 each: the per-user quota) must scale the spawners up within two
# checks, idle time must bring them back to the minimum, and every execution must end
# succeeded, started once (attempt 1), with its own result.
# shellcheck shell=bash

AS_INTERVAL=${E2E_AUTOSCALE_INTERVAL:-5}
AS_MAX=${E2E_AUTOSCALE_MAX:-4}
AS_SLEEP=${E2E_AUTOSCALE_SLEEP:-15}

spec_replicas() { docker service inspect -f '{{.Spec.Mode.Replicated.Replicas}}' "$AS_SERVICE"; }
running_tasks() {
  docker service ls --filter "name=$AS_SERVICE" --format '{{.Name}} {{.Replicas}}' | awk -v s="$AS_SERVICE" '$1 == s { split($2, a, "/"); print a[1] }'
}
now_ms() { date +%s%3N; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }

# as_user NAME: registers and logs in NAME, registers the e2e function for it; sets AS_TOKEN.
as_user() {
  http POST "$AUTH/auth/register" "{\"username\":\"$1\",\"password\":\"$PASSWORD\"}"
  expect_status 201 "POST /auth/register ($1)"
  http POST "$AUTH/auth/login" "{\"username\":\"$1\",\"password\":\"$PASSWORD\"}"
  expect_status 200 "POST /auth/login ($1)"
  AS_TOKEN=$(json_field token)
  http POST "$REGISTRY/registry/functions" "{\"name\":\"$FN_NAME\",\"image\":\"$FN_IMAGE\"}" "$AS_TOKEN"
  [ "$STATUS" = 201 ] || [ "$STATUS" = 409 ] || fail "POST /registry/functions for $1: HTTP $STATUS $BODY"
}

# Waits until the spec asks for a replica count satisfying TEST (e.g. "-gt 1"); prints it.
wait_spec() {
  local test=$1 deadline=$((SECONDS + $2)) n
  while :; do
    n=$(spec_replicas)
    # shellcheck disable=SC2086
    [ "$n" $test ] && { echo "$n"; return; }
    [ "$SECONDS" -lt "$deadline" ] || fail "$AS_SERVICE: spec replicas $n, never $test within $2 s"
    sleep 1
  done
}

# Every id final: succeeded, its own result, attempt 1.
check_burst_records() {
  local deadline=$((SECONDS + 300)) i id arg token status
  for i in "${!AS_IDS[@]}"; do
    id=${AS_IDS[$i]} arg=${AS_ARGS[$i]} token=${AS_TOKENS[$i]}
    while :; do
      http GET "$PUBLISHER/publisher/executions/$id" "" "$token"
      status=$(json_field status)
      case $status in queued|running|'') ;; *) break ;; esac
      [ "$SECONDS" -lt "$deadline" ] || fail "execution $id ($arg) still '$status'"
      sleep 1
    done
    [ "$status" = succeeded ] || fail "execution $id ($arg) ended $status: $BODY"
    grep -q "\"result\":\"e2e:$arg\"" <<<"$BODY" || fail "execution $id: wrong result: $BODY"
    grep -q '"attempt":1[,}]' <<<"$BODY" || fail "execution $id ($arg) started more than once: $BODY"
  done
  echo "    ok  ${#AS_IDS[@]} executions succeeded, each with its own result, each started once (attempt 1)"
}

autoscale_phase() {
  AS_SERVICE="${FAAS_STACK}_spawner-service"
  export AUTOSCALE_MIN=1 AUTOSCALE_MAX=$AS_MAX AUTOSCALE_INTERVAL_SECONDS=$AS_INTERVAL
  export AUTOSCALE_UP_COOLDOWN_SECONDS=$((2 * AS_INTERVAL)) AUTOSCALE_DOWN_COOLDOWN_SECONDS=$((3 * AS_INTERVAL))
  local t0 t_up t_final t_down up_to figures u i id arg running deadline phase_start=$SECONDS
  step "autoscaler: stack update with docker-compose.autoscale.yml (spawners 1..$AS_MAX, a check every $AS_INTERVAL s, cooldowns up ${AUTOSCALE_UP_COOLDOWN_SECONDS} s, down ${AUTOSCALE_DOWN_COOLDOWN_SECONDS} s)"
  deploy_stack "$FAAS_STACK" docker-compose.yml docker-compose.e2e.yml docker-compose.autoscale.yml >/dev/null
  wait_stack_ready "$FAAS_STACK" 240
  wait_replicas "$AS_SERVICE" 1 120
  deadline=$((SECONDS + 60))
  until docker service logs --raw "${FAAS_STACK}_autoscaler" 2>/dev/null | grep -q '"msg":"autoscale decision"'; do
    [ "$SECONDS" -lt "$deadline" ] || fail "the autoscaler logged no decision within 60 s"
    sleep 1
  done
  echo "    ok  autoscaler deciding; spawners at the minimum (1)"

  AS_IDS=() AS_ARGS=() AS_TOKENS=()
  local tokens=()
  for u in 1 2; do as_user "${USER_NAME}_as$u"; tokens+=("$AS_TOKEN"); done
  step "burst: 20 queued executions (sleep $AS_SLEEP s each; two users, 10 each) on 1 spawner of ${MAX_CONTAINERS:-5} slots"
  t0=$(now_ms)
  for i in $(seq 1 10); do
    for u in 0 1; do
      arg="sleep:$AS_SLEEP:u$u-$i"
      http POST "$PUBLISHER/publisher/executions" "{\"name\":\"$FN_NAME\",\"argument\":\"$arg\"}" "${tokens[$u]}"
      expect_status 202 "POST /publisher/executions ($arg)" >/dev/null
      id=$(json_field executionId)
      AS_IDS+=("$id") AS_ARGS+=("$arg") AS_TOKENS+=("${tokens[$u]}")
    done
  done
  echo "    ok  20 accepted (202) in $(( ($(now_ms) - t0) )) ms"
  up_to=$(wait_spec "-gt 1" $((2 * AS_INTERVAL + 30)))
  t_up=$(now_ms)
  echo "    ok  spec scaled up to $up_to replicas $(secs $((t_up - t0))) s after the burst began"
  # The spec may move again (up, or back down once idle): wait for more than one task, not a number.
  deadline=$((SECONDS + 120))
  until running=$(running_tasks) && [ "${running:-0}" -gt 1 ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$AS_SERVICE: the spec says $(spec_replicas), but ${running:-0} task(s) run after 120 s"
    sleep 1
  done
  echo "    ok  $running spawner tasks running $(secs $(($(now_ms) - t0))) s after the burst began"
  check_burst_records
  t_final=$(now_ms)
  step "idle: back to the minimum"
  wait_spec "-eq 1" $((AUTOSCALE_DOWN_COOLDOWN_SECONDS + 6 * AS_INTERVAL + 60)) >/dev/null
  t_down=$(now_ms)
  wait_replicas "$AS_SERVICE" 1 180

  step "autoscaler decisions since the burst (docker service logs ${FAAS_STACK}_autoscaler)"
  figures=.data/e2e-autoscale-figures
  docker service logs --raw "${FAAS_STACK}_autoscaler" 2>/dev/null | node bin/lib/e2e-decisions.mjs "$t0" "$figures" 1
  # shellcheck disable=SC1090
  source "$figures"
  [ "$UP_CHECKS" -ge 1 ] && [ "$UP_CHECKS" -le 2 ] || fail "the first scale-up came at check $UP_CHECKS after the burst began (want 1 or 2)"
  [ "$DOWN_MS" -ge 0 ] || fail "no decision logged bringing the spawners back to 1"
  step "figures: autoscaling"
  echo "    scale-up: $UP_FROM -> $UP_TO at check $UP_CHECKS after the burst began, decided $(secs "$UP_MS") s after it (peak $PEAK replicas)"
  echo "    all 20 executions final $(( (t_final - t0) / 1000 )) s after the burst began (each sleeps $AS_SLEEP s)"
  echo "    scale-down to 1 decided $(( (DOWN_MS - (t_final - t0)) / 1000 )) s after the last execution was seen final ($((DOWN_MS / 1000)) s after the burst); spec at 1 after $(( (t_down - t0) / 1000 )) s"
  echo "    $DECISIONS decisions logged since the burst; the autoscaler phase took $((SECONDS - phase_start)) s"
}
