#!/bin/sh
# The NATS services' healthcheck (docker-compose.yml; docs/deployment.md, "NATS healthcheck").
# POSIX sh with wget, grep and date: runs in nats:*-alpine (busybox) and faas-base/nats (Debian).
#
# Healthy while the server runs JetStream, but for one case: a server that has known a meta
# leader and stayed "not current" with it for NATS_STUCK_GRACE_SECONDS in a row fails, so Swarm
# replaces it. nats-server 2.10.27 (Debian 13's) can stay so for ever after a restart: what it
# sends on the raft subjects stops arriving (its proposals never apply; the multi-node e2e saw its
# peers not hear it for minutes over routes that carried other traffic), every stream replica on
# it stays behind, and nothing but a restart moves it (upstream symptom: nats-io/nats-server#5976;
# proof/test/nats-node-loss.test.ts runs this script as Swarm would). Not caught: such a server
# whose leader then dies (it knows no leader; docs/deployment.md, "NATS healthcheck").
# While no leader is known it stays healthy: at a first start the peers' names resolve only once
# their tasks run, and restarting then would only delay the quorum.
monitor=${NATS_MONITOR_URL:-http://127.0.0.1:8222}
state=${NATS_HEALTH_STATE:-/tmp/nats-stuck-since}
grace=${NATS_STUCK_GRACE_SECONDS:-60}

# The usual answer, one request: JetStream runs and is current with its meta leader.
if wget -q -T 4 -O /dev/null "$monitor/healthz?js-server-only=true"; then
  rm -f "$state"
  exit 0
fi
wget -q -T 4 -O /dev/null "$monitor/healthz?js-enabled-only=true" || exit 1
# JetStream runs but is not current: no meta leader known yet, or a leader known and this server behind it.
if ! wget -q -T 4 -O - "$monitor/jsz" | grep -q '"leader": *"[^"]'; then
  rm -f "$state"
  exit 0
fi
now=$(date +%s)
[ -s "$state" ] || echo "$now" >"$state"
behind=$((now - $(cat "$state")))
if [ "$behind" -ge "$grace" ]; then
  echo "not current with the meta leader for $behind s (grace $grace s)"
  exit 1
fi
echo "not current with the meta leader for $behind s; healthy until $grace s"
exit 0
