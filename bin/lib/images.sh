# Image names and builds shared by run.sh and e2e-swarm.sh.
# shellcheck shell=bash

# Official base images, tried first.
NODE_IMAGE_OFFICIAL=${NODE_IMAGE_OFFICIAL:-node:24-bookworm-slim}
NATS_IMAGE_OFFICIAL=${NATS_IMAGE_OFFICIAL:-nats:2.10-alpine}
# The gateway's images have no air-gapped equivalent: pulled, or loaded with `docker load`.
# Pinned to the releases the configurator is validated against: APISIX 3.11.0 and the etcd it
# documents (3.5.4); see docs/gateway.md.
APISIX_IMAGE=${APISIX_IMAGE:-apache/apisix:3.11.0-debian}
ETCD_IMAGE=${ETCD_IMAGE:-quay.io/coreos/etcd:v3.5.4}
export APISIX_IMAGE ETCD_IMAGE
# Their air-gapped equivalents (bin/build-base-images.sh).
DEBIAN_BASE_IMAGE=${DEBIAN_BASE_IMAGE:-faas-base/debian:bookworm}
NODE_BASE_IMAGE=${NODE_BASE_IMAGE:-faas-base/node:24-bookworm-slim}
NATS_BASE_IMAGE=${NATS_BASE_IMAGE:-faas-base/nats:2.10}
PYTHON_BASE_IMAGE=${PYTHON_BASE_IMAGE:-faas-base/python:3.11-bookworm}

# workspace -> URL the image's HEALTHCHECK probes (empty: one-shot, no healthcheck).
declare -A HEALTH_URLS=(
  [auth-service]=http://127.0.0.1:8081/auth/ready
  [registry-service]=http://127.0.0.1:8082/registry/ready
  [publisher-service]=http://127.0.0.1:8083/publisher/ready
  [spawner-service]=http://127.0.0.1:8084/health
  [portal]=http://127.0.0.1:8085/health
  [autoscaler]=http://127.0.0.1:8086/health
  [api-gateway]=
)
SERVICE_WORKSPACES=(auth-service registry-service publisher-service spawner-service portal api-gateway)
# Built and deployed only with `bin/run.sh --autoscale` (docker-compose.autoscale.yml).
AUTOSCALER_WORKSPACE=autoscaler

# True when the image is local or can be pulled within 60 s (no registry: fails fast or times out).
image_available() {
  docker image inspect "$1" >/dev/null 2>&1 && return 0
  timeout 60 docker pull -q "$1" >/dev/null 2>&1
}

# Sets NODE_IMAGE and NATS_IMAGE: the ones given in the environment, else the official images
# when they can be had, else the air-gapped ones, built once and cached (AIRGAPPED=1 skips the
# pull attempts).
resolve_base_images() {
  if [ -n "${NODE_IMAGE:-}" ] && [ -n "${NATS_IMAGE:-}" ]; then
    step "base images (given): $NODE_IMAGE, $NATS_IMAGE"
  elif [ "${AIRGAPPED:-0}" != 1 ] && image_available "$NODE_IMAGE_OFFICIAL" && image_available "$NATS_IMAGE_OFFICIAL"; then
    NODE_IMAGE=$NODE_IMAGE_OFFICIAL NATS_IMAGE=$NATS_IMAGE_OFFICIAL
    step "base images: $NODE_IMAGE, $NATS_IMAGE"
  else
    step "official base images unavailable: air-gapped base images (built once, then cached)"
    bash bin/build-base-images.sh
    NODE_IMAGE=$NODE_BASE_IMAGE NATS_IMAGE=$NATS_BASE_IMAGE
  fi
  export NODE_IMAGE NATS_IMAGE
}

# APISIX and etcd must be on this node before deploying; say so at once instead of letting
# Swarm reject their tasks until the readiness timeout.
require_gateway_images() {
  local image missing=()
  for image in "$APISIX_IMAGE" "$ETCD_IMAGE"; do
    image_available "$image" || missing+=("$image")
  done
  [ ${#missing[@]} -eq 0 ] && { step "gateway images: $APISIX_IMAGE, $ETCD_IMAGE"; return 0; }
  cat >&2 <<EOT

ERROR: cannot pull ${missing[*]}.
APISIX and etcd have no air-gapped build. On a machine with registry access:
  docker pull ${missing[*]} && docker save ${missing[*]} -o gateway-images.tar
then here: docker load -i gateway-images.tar (on every node), and run bin/run.sh again.
(Or point APISIX_IMAGE / ETCD_IMAGE at images you have. bin/e2e-swarm.sh runs the rest
of the stack without them.)
EOT
  return 1
}

# An extra CA bundle (e.g. a TLS-intercepting proxy's, as NODE_EXTRA_CA_CERTS names) goes into
# the build context so `npm ci` in the build stage trusts it; it never reaches a runtime image.
stage_build_ca() {
  rm -rf .data/build-ca && mkdir -p .data/build-ca
  # The host's own bundle when none is named: CI's environment may lack NODE_EXTRA_CA_CERTS.
  local bundle="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"
  if [ -r "$bundle" ]; then
    cp "$bundle" .data/build-ca/extra-ca.crt
  fi
}

# Builds faas/<ws>:$FAAS_TAG for each workspace given (default: all six) from the root
# Dockerfile; the npm ci layer is shared, so only the first build installs packages.
build_service_images() {
  local ws start
  stage_build_ca
  for ws in "${@:-${SERVICE_WORKSPACES[@]}}"; do
    start=$SECONDS
    step "image faas/$ws:${FAAS_TAG:-latest}"
    if ! docker build --force-rm \
      --build-arg NODE_IMAGE="$NODE_IMAGE" \
      --build-arg WORKSPACE="$ws" \
      --build-arg HEALTHCHECK_URL="${HEALTH_URLS[$ws]}" \
      -t "faas/$ws:${FAAS_TAG:-latest}" . >".data/build-$ws.log" 2>&1; then
      tail -n 40 ".data/build-$ws.log" >&2
      echo "image build failed for $ws (full log: .data/build-$ws.log)" >&2
      return 1
    fi
    echo "    built in $((SECONDS - start)) s, $(docker image inspect -f '{{.Size}}' "faas/$ws:${FAAS_TAG:-latest}" | awk '{printf "%.0f MB", $1/1e6}')"
  done
}
