#!/usr/bin/env bash
# Installs everything ovnlab needs on a Debian machine; quick when already done.
# Prints nothing but progress; source scripts/env.sh afterwards for PATH etc.
set -euo pipefail
cd "$(dirname "$0")/.."

# tcpdump: `npm run capture`. openssh-client: the ssh driver and its e2e (ssh, ssh-keygen). vagrant and debootstrap: the vagrant driver's e2e test (docker provider; scripts/vagrant-node-image.sh).
APT_PACKAGES=(openvswitch-switch openssh-client ovn-central ovn-host docker.io busybox-static ethtool iptables iproute2 iputils-ping graphviz tcpdump vagrant debootstrap)
# Real VMs (vagrantProvider: libvirt; test/vm): libvirt's daemons and QEMU driver, QEMU itself, vagrant-libvirt,
# dnsmasq for libvirt's networks, qemu-img and mkfs.ext4 -d for the box (scripts/vagrant-libvirt-box.sh).
APT_PACKAGES+=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 qemu-utils vagrant-libvirt dnsmasq-base e2fsprogs)

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

# Without libvirt-daemon-system (it would also start libvirt's default network) there is no libvirt-qemu user,
# which libvirtd looks up before it reads qemu.conf: the system user and group it names, as that package makes them.
# QEMU itself runs as root, which opens /dev/kvm as it is and reads boxes under root's Vagrant home.
getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu
getent passwd libvirt-qemu >/dev/null || useradd --system --gid libvirt-qemu --home-dir /var/lib/libvirt --no-create-home --shell /usr/sbin/nologin libvirt-qemu
if [[ ! -f /etc/libvirt/qemu.conf ]]; then
  mkdir -p /etc/libvirt
  printf '# Written by ovnlab scripts/setup.sh\nuser = "root"\ngroup = "root"\n' >/etc/libvirt/qemu.conf
fi

bash scripts/install-pulumi.sh >/dev/null
bash scripts/docker-engine.sh start

# The program and the provider plugin run as compiled JavaScript (dist/); incremental, so quick when nothing changed.
npx tsc -p tsconfig.build.json
