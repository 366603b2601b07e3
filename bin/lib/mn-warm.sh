# Warm locality on the faas-mn swarm (MN_WARM=1; issue 24, item 5): hit rate and warm
# containers per function with MN_WARM_SPAWNERS (10) spawners over the nodes, for one function
# and for MN_WARM_FUNCTIONS (50) under a Zipf-skewed load. Rows in MN_WARM_TABLE. Source
# mn-nodes.sh, mn-checks.sh and mn-phases.sh first.
# shellcheck shell=bash

MN_WARM_TABLE=.data/mn-warm-table.txt

# One line per warm container running on any node: its function's name.
mn_warm_alive() {
  local n
  for n in $(seq 1 "$MN_NODES"); do mn "$n" ps --filter label=faas.warm=true --format '{{.Label "faas.function"}}'; done
}

# Memory the running warm containers use now, in MiB (docker stats, one sample per node).
mn_warm_mib() {
  local n ids
  for n in $(seq 1 "$MN_NODES"); do
    ids=$(mn "$n" ps -q --filter label=faas.warm=true)
    [ -n "$ids" ] && mn "$n" stats --no-stream --format '{{.MemUsage}}' $ids
  done | awk '{v=$1; u=v; gsub(/[0-9.]/, "", u); sub(/[A-Za-z]+$/, "", v); m=(u=="GiB")?1024:(u=="KiB"||u=="kB")?1/1024:(u=="B")?1/1048576:1; s+=v*m} END{printf "%.0f", s}'
}

# mn_warm_case FUNCTIONS RUNS LABEL
mn_warm_case() {
  local fns=$1 runs=$2 label=$3 out=.data/mn-warm-$1.json
  step "warm locality: $label ($runs sync runs, $fns function(s), concurrency ${MN_WARM_CONCURRENCY:-6})"
  EDGES=$EDGES TOKEN=$TOKEN FN="w$RANDOM" IMAGE=$FN_IMAGE FUNCTIONS=$fns RUNS=$runs OUT=$out \
    CONCURRENCY=${MN_WARM_CONCURRENCY:-6} ZIPF_S=${MN_WARM_ZIPF_S:-1} node bin/lib/mn-warm.mjs || fail "the warm load failed"
  mn_spawner_starts >.data/mn-warm-starts.log
  mn_warm_alive >.data/mn-warm-alive.txt
  node bin/lib/mn-warm-report.mjs "$out" .data/mn-warm-starts.log .data/mn-warm-alive.txt "$label" >>"$MN_WARM_TABLE"
  echo "    warm containers running on the nodes now: $(wc -l <.data/mn-warm-alive.txt), $(mn_warm_mib) MiB"
}

mn_warm_phase() {
  local fns=${MN_WARM_FUNCTIONS:-50}
  : >"$MN_WARM_TABLE"
  mn_scale "${MN_WARM_SPAWNERS:-10}"
  mn_warm_case 1 "${MN_WARM_RUNS_ONE:-300}" "1 function"
  mn_warm_case "$fns" "${MN_WARM_RUNS_MANY:-1000}" "$fns functions, Zipf s=${MN_WARM_ZIPF_S:-1}"
  step "warm locality with ${MN_WARM_SPAWNERS:-10} spawners on $MN_NODES nodes (also in $MN_WARM_TABLE)"
  { echo "case|functions|runs|warm hit rate|containers that served one function|warm containers alive at the end|notes"; cat "$MN_WARM_TABLE"; } \
    | column -t -s '|' -o ' | '
}
