#!/usr/bin/env bash
# Podman (with runc) and a static busybox for the local base image, on Debian, as root; and the
# engine settings this kind of machine needs (no systemd cgroups, no raised ulimits).
set -euo pipefail
if ! command -v podman >/dev/null || ! command -v runc >/dev/null || ! command -v busybox >/dev/null; then
  if [ "$(id -u)" != 0 ]; then echo "podman is missing and installing it needs root" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc busybox-static >/dev/null
fi
if [ "$(id -u)" = 0 ] && [ ! -f /etc/containers/containers.conf ]; then
  mkdir -p /etc/containers
  printf '[containers]\ndefault_ulimits = []\n[engine]\ncgroup_manager = "cgroupfs"\n' > /etc/containers/containers.conf
fi
podman --version
