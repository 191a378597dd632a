#!/usr/bin/env bash
# Installs everything ovnlab needs on a Debian machine; quick when already done.
# Prints nothing but progress; source scripts/env.sh afterwards for PATH etc.
set -euo pipefail
cd "$(dirname "$0")/.."

# tcpdump: `npm run capture`. openssh-client: the ssh driver and its e2e (ssh, ssh-keygen). vagrant and debootstrap: the vagrant driver's e2e test (docker provider; scripts/vagrant-node-image.sh).
APT_PACKAGES=(openvswitch-switch openssh-client ovn-central ovn-host docker.io busybox-static ethtool iptables iproute2 iputils-ping graphviz tcpdump vagrant debootstrap)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "[setup] apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The packages' service scripts cannot start daemons without systemd; ovnlab starts its own.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ ! -d node_modules/@pulumi/pulumi || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "[setup] npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

bash scripts/install-pulumi.sh >/dev/null
bash scripts/docker-engine.sh start

# The program and the provider plugin run as compiled JavaScript (dist/); incremental, so quick when nothing changed.
npx tsc -p tsconfig.build.json
