#!/usr/bin/env bash
# Builds the tap's image with podman on a machine without registry access: first the local Node
# 24 base image, then the Dockerfile against it. Usage: scripts/container/build-image.sh [TAG]
set -euo pipefail
cd "$(dirname "$0")/../.."
TAG="${1:-tap-salesforce:dev}"
BASE=localhost/tap-salesforce-node:24
bash scripts/container/install-podman.sh >/dev/null
bash scripts/container/build-base-image.sh "$BASE"
podman --runtime /usr/bin/runc build --network host \
  --build-arg BASE_IMAGE="$BASE" \
  --build-arg npm_config_cafile=/etc/ssl/certs/ca-certificates.crt \
  -t "$TAG" .
