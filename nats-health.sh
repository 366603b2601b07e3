#!/bin/sh
# The NATS services' healthcheck (docker-compose.yml; docs/deployment.md, "NATS healthcheck").
# POSIX sh with wget, grep and date: runs in nats:*-alpine (busybox) and faas-base/nats (Debian).
#
# Healthy while the server runs JetStream and is current with a meta leader, or could not be:
# it fails once it has been in one of these two states for NATS_STUCK_GRACE_SECONDS in a row, so
# Swarm replaces it.
# - A meta leader known and this server "not current" with it. nats-server 2.10.27 (Debian 13's)
#   can stay so for ever after a restart: what it sends on the raft subjects stops arriving (its
#   proposals never apply; the multi-node e2e saw its peers not hear it for minutes over routes
#   that carried other traffic), and nothing but a restart moves it (upstream symptom:
#   nats-io/nats-server#5976).
# - No meta leader known while routes join this server to a quorum of the meta group: an election
#   among servers that hear each other takes seconds, so one that lasts a minute means raft
#   traffic is lost on a route between them (the multi-node e2e's run 4: two live servers, routes
#   up, candidates for minutes after the leader's node died; common/test/nats-health.test.ts
#   makes it with a route permission). A restart drops and redials the routes.
# With no leader and no quorum in reach (a first start: the peers' names resolve only once their
# tasks run; or a lost majority) it stays healthy: a restart would only delay the quorum.
# proof/test/nats-node-loss.test.ts runs this script as Swarm would.
monitor=${NATS_MONITOR_URL:-http://127.0.0.1:8222}
state=${NATS_HEALTH_STATE:-/tmp/nats-stuck-since}
grace=${NATS_STUCK_GRACE_SECONDS:-60}

# The usual answer, one request: JetStream runs and is current with its meta leader.
if wget -q -T 4 -O /dev/null "$monitor/healthz?js-server-only=true"; then
  rm -f "$state"
  exit 0
fi
wget -q -T 4 -O /dev/null "$monitor/healthz?js-enabled-only=true" || exit 1
# JetStream runs but is not current: with a leader known, behind it; with none, an election.
jsz=$(wget -q -T 4 -O - "$monitor/jsz") || jsz=''
if echo "$jsz" | grep -q '"leader": *"[^"]'; then
  why="not current with the meta leader"
else
  size=$(echo "$jsz" | grep -o '"cluster_size": *[0-9]*' | grep -o '[0-9]*$')
  # Servers this one has routes to (a pool has several routes per server), itself counted.
  reach=$(($(wget -q -T 4 -O - "$monitor/routez" | grep -o '"remote_name": *"[^"]*"' | sort -u | wc -l) + 1))
  if [ -z "$size" ] || [ "$reach" -lt $((size / 2 + 1)) ]; then
    rm -f "$state"
    exit 0
  fi
  why="no meta leader while routes join $reach of the meta group's $size servers"
fi
now=$(date +%s)
[ -s "$state" ] || echo "$now" >"$state"
since=$((now - $(cat "$state")))
if [ "$since" -ge "$grace" ]; then
  echo "$why for $since s (grace $grace s)"
  exit 1
fi
echo "$why for $since s; healthy until $grace s"
exit 0
