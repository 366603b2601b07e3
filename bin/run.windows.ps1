# Deploys the FaaS platform on Docker Swarm from Windows (Docker Desktop, Linux containers),
# or updates it in place: the same steps as bin/run.sh.
#   powershell -ExecutionPolicy Bypass -File bin\run.windows.ps1 [-Autoscale]
# -Autoscale: as bin/run.sh --autoscale, adds the autoscaler (docker-compose.autoscale.yml,
# AUTOSCALE_* variables, docs/autoscaling.md); without it the stack runs 10 spawners.
# Env: FAAS_STACK (faas), FAAS_TAG, FAAS_GATEWAY_PORT (9080), LOG_LEVEL, MAX_CONTAINERS,
# READY_TIMEOUT (600). Untested here (no Windows machine); kept deliberately plain.
# The air-gapped base images need Linux (debootstrap): build them there with
# bin/build-base-images.sh and `docker save` / `docker load` them, then set $env:NODE_IMAGE
# and $env:NATS_IMAGE to their names.
param([switch]$Autoscale)
$ErrorActionPreference = 'Stop'
Set-Location (Join-Path $PSScriptRoot '..')

function Step([string]$Message) { Write-Host "`n==> $Message" }
function Fail([string]$Message) { Write-Error "ERROR: $Message"; exit 1 }
function Env-Or([string]$Name, [string]$Default) {
  $value = [Environment]::GetEnvironmentVariable($Name)
  if ([string]::IsNullOrEmpty($value)) { return $Default } else { return $value }
}
function Docker-Ok { & docker @args *> $null; return ($LASTEXITCODE -eq 0) }

$stack = Env-Or 'FAAS_STACK' 'faas'
$env:FAAS_STACK = $stack
$env:FAAS_SECRET_PREFIX = Env-Or 'FAAS_SECRET_PREFIX' $stack
$env:FAAS_GATEWAY_PORT = Env-Or 'FAAS_GATEWAY_PORT' '9080'
$workspaces = @('auth-service', 'registry-service', 'publisher-service', 'spawner-service', 'portal', 'api-gateway')
$healthUrls = @{
  'auth-service'      = 'http://127.0.0.1:8081/auth/ready'
  'registry-service'  = 'http://127.0.0.1:8082/registry/ready'
  'publisher-service' = 'http://127.0.0.1:8083/publisher/ready'
  'spawner-service'   = 'http://127.0.0.1:8084/health'
  'portal'            = 'http://127.0.0.1:8085/health'
  'api-gateway'       = ''
  'autoscaler'        = 'http://127.0.0.1:8086/health'
}
$composeArgs = @('-c', 'docker-compose.yml')
if ($Autoscale) {
  $workspaces += 'autoscaler'
  $composeArgs += @('-c', 'docker-compose.autoscale.yml')
}
$started = Get-Date
New-Item -ItemType Directory -Force -Path .data | Out-Null

Step 'prerequisites'
if (-not (Get-Command docker -ErrorAction SilentlyContinue)) { Fail 'docker is not installed (install Docker Desktop)' }
if (-not (Docker-Ok info)) { Fail 'the Docker engine does not answer (start Docker Desktop)' }

if ((docker info -f '{{.Swarm.LocalNodeState}}') -ne 'active') {
  Step 'docker swarm init'
  if (-not (Docker-Ok swarm init)) {
    docker swarm init --advertise-addr 127.0.0.1 | Out-Null
    if ($LASTEXITCODE -ne 0) { Fail 'docker swarm init failed' }
  }
}

# Random secrets, created once; only a fingerprint is printed.
# The secrets key is 64 hex digits (a SECRETS_KEY_FILE of one key); the admin password is also
# saved in .data\admin-password, since a Docker secret cannot be read back.
# The internal credentials (docs/internal-trust.md): NATS per-service and route passwords, etcd's users.
$internal = @('nats_route_password', 'nats_auth_password', 'nats_registry_password', 'nats_publisher_password', 'nats_spawner_password', 'nats_autoscaler_password',
  'etcd_root_password', 'etcd_apisix_password')
$secretNames = @('jwt_secret', 'apisix_admin_key', 'secrets_key', 'admin_password') + $internal
foreach ($name in ($secretNames | ForEach-Object { "$($env:FAAS_SECRET_PREFIX)_$_" })) {
  if (Docker-Ok secret inspect $name) { Step "secret $name exists (kept)"; continue }
  $bytes = New-Object byte[] 32
  [System.Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($bytes)
  $value = -join ($bytes | ForEach-Object { $_.ToString('x2') })
  $sha = [System.Security.Cryptography.SHA256]::Create()
  $fp = (-join ($sha.ComputeHash([Text.Encoding]::ASCII.GetBytes($value)) | ForEach-Object { $_.ToString('x2') })).Substring(0, 12)
  # Through a file: piping to a native command would append a newline (CRLF on Windows).
  $tmp = [System.IO.Path]::GetTempFileName()
  try {
    [System.IO.File]::WriteAllText($tmp, $value)
    if ($name -like '*_admin_password') {
      New-Item -ItemType Directory -Force -Path .data | Out-Null
      [System.IO.File]::WriteAllText((Join-Path (Get-Location) '.data\admin-password'), $value)
    }
    docker secret create $name $tmp | Out-Null
    if ($LASTEXITCODE -ne 0) { Fail "cannot create secret $name" }
  } finally {
    Remove-Item -Force $tmp
    Remove-Variable value
  }
  Step "secret $name created (sha256 fingerprint $fp...)"
}

# Base images: official ones, or air-gapped ones loaded beforehand (see the header).
$nodeImage = Env-Or 'NODE_IMAGE' 'node:24-bookworm-slim'
$natsImage = Env-Or 'NATS_IMAGE' 'nats:2.10-alpine'
foreach ($image in @($nodeImage, $natsImage)) {
  if (-not (Docker-Ok image inspect $image)) {
    Step "pulling $image"
    if (-not (Docker-Ok pull $image)) { Fail "cannot pull $image; build the air-gapped base images on Linux (bin/build-base-images.sh)" }
  }
}
$env:NATS_IMAGE = $natsImage

$ids = @()
foreach ($ws in $workspaces) {
  Step "image faas/${ws}:latest"
  docker build --build-arg "NODE_IMAGE=$nodeImage" --build-arg "WORKSPACE=$ws" `
    --build-arg "HEALTHCHECK_URL=$($healthUrls[$ws])" -t "faas/${ws}:latest" . *> ".data/build-$ws.log"
  if ($LASTEXITCODE -ne 0) { Get-Content ".data/build-$ws.log" -Tail 40; Fail "image build failed for $ws" }
  $ids += (docker image inspect -f '{{.Id}}' "faas/${ws}:latest")
}
# A tag derived from the images: a re-run with nothing changed leaves the services alone.
if ([string]::IsNullOrEmpty($env:FAAS_TAG)) {
  $sha = [System.Security.Cryptography.SHA256]::Create()
  $env:FAAS_TAG = (-join ($sha.ComputeHash([Text.Encoding]::ASCII.GetBytes(($ids -join "`n"))) | ForEach-Object { $_.ToString('x2') })).Substring(0, 12)
}
foreach ($ws in $workspaces) { docker tag "faas/${ws}:latest" "faas/${ws}:$($env:FAAS_TAG)" }
Step "images tagged $($env:FAAS_TAG)"

# NATS volumes are pinned by node labels; labels nobody carries go to this node.
$self = docker info -f '{{.Swarm.NodeID}}'
foreach ($i in 1..3) {
  $label = "faas.nats-$i"
  $holders = docker node ls -q | ForEach-Object { docker node inspect -f "{{ index .Spec.Labels `"$label`" }}" $_ } | Where-Object { $_ -eq 'true' }
  if (-not $holders) { docker node update --label-add "$label=true" $self | Out-Null }
}

$env:NATS_CONF_HASH = (Get-FileHash nats-cluster.conf -Algorithm SHA256).Hash.ToLower().Substring(0, 12)
$env:NATS_AUTH_CONF_HASH = (Get-FileHash nats-auth.conf -Algorithm SHA256).Hash.ToLower().Substring(0, 12)
$env:APISIX_CONF_HASH = (Get-FileHash apisix-config.yaml -Algorithm SHA256).Hash.ToLower().Substring(0, 12)
$env:NATS_HEALTH_HASH = (Get-FileHash nats-health.sh -Algorithm SHA256).Hash.ToLower().Substring(0, 12)
# Docker Desktop's socket inside its VM belongs to root (gid 0) unless told otherwise.
$env:DOCKER_GID = Env-Or 'DOCKER_GID' '0'

Step "docker stack deploy $stack"
$deployStart = Get-Date
docker stack deploy --resolve-image never --prune @composeArgs $stack
if ($LASTEXITCODE -ne 0) { Fail 'docker stack deploy failed' }

$timeout = [int](Env-Or 'READY_TIMEOUT' '600')
$last = ''
Step "waiting for $stack to be healthy (timeout ${timeout}s)"
while ($true) {
  $pending = @()
  $line = ''
  foreach ($row in (docker service ls --filter "label=com.docker.stack.namespace=$stack" --format '{{.Name}} {{.Replicas}}')) {
    $name, $replicas = $row -split ' ', 3
    $running, $desired = ($replicas -split '/')
    $desired = ($desired -split ' ')[0]
    $short = $name.Substring($stack.Length + 1)
    $condition = docker service inspect -f '{{.Spec.TaskTemplate.RestartPolicy.Condition}}' $name
    $ok = $false
    if ($condition -eq 'on-failure' -and [int]$desired -gt 0) {
      $ok = ((docker service ps --format '{{.CurrentState}}' $name | Select-Object -First 1) -like 'Complete*')
      if ($ok) { $running = $desired }
    } else {
      $update = docker service inspect -f '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}' $name
      if ($update -like 'rollback_*' -or $update -eq 'paused') { Fail "$short update failed ($update)" }
      $ok = ([int]$running -ge [int]$desired -and $update -ne 'updating')
    }
    if (-not $ok) { $pending += $short }
    $line += "$short $running/$desired  "
  }
  $elapsed = [int]((Get-Date) - $deployStart).TotalSeconds
  if ($line -ne $last) { Write-Host ("  [{0,3}s] {1}" -f $elapsed, $line); $last = $line }
  if ($pending.Count -eq 0 -and $line -ne '') { break }
  if ($elapsed -ge $timeout) { Fail "not healthy within ${timeout}s: $($pending -join ' ')" }
  Start-Sleep -Seconds 3
}
Step ("deployed in {0} s (whole run {1} s)" -f [int]((Get-Date) - $deployStart).TotalSeconds, [int]((Get-Date) - $started).TotalSeconds)

$gateway = "http://localhost:$($env:FAAS_GATEWAY_PORT)"
Write-Host @"

The platform is up. Gateway (APISIX): $gateway

  curl.exe -s -X POST $gateway/auth/register -H "Content-Type: application/json" -d '{\"username\":\"alice\",\"password\":\"s3cret-pass\"}'

Then log in (POST /auth/login), register a function (POST /registry/functions) and run it
(POST /publisher/publish): see the README. Scale: docker service scale ${stack}_spawner-service=N
Stop: docker stack rm $stack
"@
