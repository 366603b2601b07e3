#!/usr/bin/env bash
# Removes the stack. Data (NATS volumes) and secrets stay unless asked:
#   bin/stop.sh [--volumes] [--secrets]
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/lib/engine.sh
source bin/lib/swarm.sh

stack=${FAAS_STACK:-faas}
prefix=${FAAS_SECRET_PREFIX:-$stack}
drop_volumes=0 drop_secrets=0
for arg in "$@"; do
  case $arg in
    --volumes) drop_volumes=1 ;;
    --secrets) drop_secrets=1 ;;
    *) die "unknown option $arg (use --volumes, --secrets)" ;;
  esac
done

step "removing stack $stack"
remove_stack "$stack"
if [ "$drop_volumes" = 1 ]; then
  step "removing volumes of $stack"
  docker volume ls -q --filter "label=com.docker.stack.namespace=$stack" | xargs -r docker volume rm >/dev/null
fi
if [ "$drop_secrets" = 1 ]; then
  step "removing secrets ${prefix}_jwt_secret ${prefix}_apisix_admin_key ${prefix}_secrets_key ${prefix}_admin_password"
  # Without the secrets key, stored secret values can never be read again.
  docker secret rm "${prefix}_jwt_secret" "${prefix}_apisix_admin_key" "${prefix}_secrets_key" "${prefix}_admin_password" >/dev/null 2>&1 || true
  # NATS passwords live only in the secrets: new ones work at the next deploy. etcd's users live
  # in its volume too, so their secrets go only with the volumes (docs/internal-trust.md).
  for name in "${INTERNAL_SECRETS[@]}"; do
    case $name in etcd_*) [ "$drop_volumes" = 1 ] || continue ;; esac
    docker secret rm "${prefix}_$name" >/dev/null 2>&1 || true
  done
fi
step "stack $stack removed"
