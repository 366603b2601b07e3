#!/usr/bin/env bash
# Deploys the FaaS platform on Docker Swarm, or updates it in place when run again:
# prerequisites -> secrets -> images -> swarm -> `docker stack deploy` -> wait until healthy.
#
#
#   bin/run.sh [--autoscale]
#
# --autoscale adds the autoscaler (docker-compose.autoscale.yml): the spawners start at
# AUTOSCALE_MIN and follow the queue up to AUTOSCALE_MAX (docs/autoscaling.md). Without it the
# stack runs 10 spawners, and a run without it removes an autoscaler deployed earlier.
#
# Env: FAAS_STACK (faas), FAAS_TAG (default: a hash of the built images, so a re-run rolls
# only when something changed), FAAS_GATEWAY_PORT (9080), AIRGAPPED=1 (skip pull attempts),
# LOG_LEVEL, MAX_CONTAINERS, READY_TIMEOUT (600 s), APISIX_IMAGE, ETCD_IMAGE, FAAS_ADMIN_USERNAME (admin),
# and with --autoscale AUTOSCALE_MIN (2), AUTOSCALE_MAX (10), AUTOSCALE_UP_THRESHOLD (0.8),
# AUTOSCALE_DOWN_THRESHOLD (0.3), AUTOSCALE_INTERVAL_SECONDS (15), AUTOSCALE_UP_COOLDOWN_SECONDS (30),
# AUTOSCALE_DOWN_COOLDOWN_SECONDS (180).
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/lib/engine.sh
source bin/lib/images.sh
source bin/lib/swarm.sh

compose_files=(docker-compose.yml)
for arg in "$@"; do
  case $arg in
    --autoscale)
      SERVICE_WORKSPACES+=("$AUTOSCALER_WORKSPACE")
      compose_files+=(docker-compose.autoscale.yml)
      ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $arg (use --autoscale)" ;;
  esac
done

export FAAS_STACK=${FAAS_STACK:-faas}
export FAAS_SECRET_PREFIX=${FAAS_SECRET_PREFIX:-$FAAS_STACK}
export FAAS_GATEWAY_PORT=${FAAS_GATEWAY_PORT:-9080}
started=$SECONDS
mkdir -p .data

step "prerequisites"
require_docker
ensure_swarm
require_gateway_images || exit 1

ensure_secret "${FAAS_SECRET_PREFIX}_jwt_secret"
ensure_secret "${FAAS_SECRET_PREFIX}_apisix_admin_key"
# 32 random bytes as 64 hex digits: a SECRETS_KEY_FILE of one key (its id derived from it).
ensure_secret "${FAAS_SECRET_PREFIX}_secrets_key"
ensure_kept_secret "${FAAS_SECRET_PREFIX}_admin_password" .data/admin-password
ensure_internal_secrets "${FAAS_SECRET_PREFIX}"

resolve_base_images
FAAS_TAG=latest build_service_images
if [ -z "${FAAS_TAG:-}" ]; then
  FAAS_TAG=$(for ws in "${SERVICE_WORKSPACES[@]}"; do docker image inspect -f '{{.Id}}' "faas/$ws:latest"; done \
    | sha256sum | cut -c1-12)
fi
export FAAS_TAG
for ws in "${SERVICE_WORKSPACES[@]}"; do docker tag "faas/$ws:latest" "faas/$ws:$FAAS_TAG"; done
step "images tagged $FAAS_TAG"

ensure_nats_labels
export_config_hashes
step "docker stack deploy $FAAS_STACK"
deploy_start=$SECONDS
deploy_stack "$FAAS_STACK" "${compose_files[@]}"
wait_stack_ready "$FAAS_STACK" "${READY_TIMEOUT:-600}"
step "deployed in $((SECONDS - deploy_start)) s (whole run $((SECONDS - started)) s)"

# Tags of earlier builds that no service uses any more (ours only: faas/<ws>:<12 hex>).
for ws in "${SERVICE_WORKSPACES[@]}"; do
  docker image ls --format '{{.Repository}}:{{.Tag}}' "faas/$ws" | grep -E ":[0-9a-f]{12}$" \
    | grep -v ":$FAAS_TAG$" | xargs -r docker rmi >/dev/null 2>&1 || true
done

gateway="http://localhost:$FAAS_GATEWAY_PORT"
cat <<EOT

The platform is up. Gateway (APISIX): $gateway

  curl -s -X POST $gateway/auth/register -H 'Content-Type: application/json' \\
    -d '{"username":"alice","password":"s3cret-pass"}'

Then log in (POST /auth/login), register a function (POST /registry/functions) and run it
(POST /publisher/publish): see the README. Admin: user ${FAAS_ADMIN_USERNAME:-admin}, password in
.data/admin-password (docs/secrets-and-roles.md). Scale: docker service scale ${FAAS_STACK}_spawner-service=N
Stop: bin/stop.sh
EOT
if [ ${#compose_files[@]} -gt 1 ]; then
  echo "Autoscaling: spawners between ${AUTOSCALE_MIN:-2} and ${AUTOSCALE_MAX:-10}; decisions: docker service logs ${FAAS_STACK}_autoscaler"
fi
