#!/usr/bin/env bash
# Builds the image that Vagrant's docker provider runs as lab nodes, where no
# VirtualBox can run (CI, this machine): Debian bookworm with Open vSwitch, OVN
# (central and host), sshd and a `vagrant` user holding Vagrant's insecure key,
# as a Vagrant box would. No registry is involved: debootstrap fetches Debian's
# packages, `docker import` turns the root filesystem into an image, and the
# OVS/OVN packages are installed inside a container of it (so no package script
# ever starts a daemon on this host), then `docker commit`ed.
#
#   bash scripts/vagrant-node-image.sh [IMAGE]   prints IMAGE; skipped when IMAGE exists
#
# Bump the tag when the image's content changes: the tag is the cache key.
set -euo pipefail
IMAGE="${1:-ovnlab/vagrant-node:bookworm-2}"
MIRROR="${OVNLAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# What provisioning installs on a node (provisionScript.ts, provisionPackages), so it finds them in place, plus sshd and tools.
PACKAGES=(openvswitch-switch openvswitch-common ovn-central ovn-host iproute2 ethtool iputils-arping openssh-server sudo iputils-ping procps tcpdump)

log() { echo "[vagrant-node-image] $*" >&2; }

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE exists"
  echo "$IMAGE"
  exit 0
fi

for tool in debootstrap vagrant; do
  command -v "$tool" >/dev/null || { log "needs $tool (apt-get install $tool; scripts/setup.sh installs it)"; exit 1; }
done
# The key every Vagrant box accepts on first boot; Vagrant replaces it with a fresh one per machine.
insecure_key=$(dpkg -L vagrant | grep '/keys/vagrant\.pub$')

started=$SECONDS
suffix="$$-$RANDOM"
work=$(mktemp -d /var/tmp/ovnlab-node-image.XXXXXX)
base="ovnlab/vagrant-node-base:$suffix"
builder="ovnlab-node-image-$suffix"
cleanup() {
  docker rm -f "$builder" >/dev/null 2>&1 || true
  docker image rm "$base" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

log "debootstrap bookworm (minbase) from $MIRROR"
debootstrap --variant=minbase bookworm "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
tar -C "$work/rootfs" -c . | docker import - "$base" >/dev/null
rm -rf "$work/rootfs"

log "installing ${PACKAGES[*]} in a container of the base"
cp "$insecure_key" "$work/vagrant.pub"
cat >"$work/node-init" <<'EOF'
#!/bin/sh
# PID 1's child under docker-init: host keys unique to this node, then sshd (Vagrant's way in).
mkdir -p /run/sshd
ssh-keygen -A >/dev/null
exec /usr/sbin/sshd -D -e
EOF
cat >"$work/build.sh" <<EOF
set -eu
export DEBIAN_FRONTEND=noninteractive
# Package scripts must not start daemons while the image is built: the node's provisioning does.
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
echo 'deb $MIRROR bookworm main' >/etc/apt/sources.list
apt-get update -qq
apt-get install -y -qq --no-install-recommends ${PACKAGES[*]} >/dev/null
apt-get clean
rm -rf /var/lib/apt/lists/* /usr/sbin/policy-rc.d /etc/ssh/ssh_host_*
useradd --create-home --shell /bin/bash vagrant
echo 'vagrant ALL=(ALL) NOPASSWD: ALL' >/etc/sudoers.d/vagrant && chmod 440 /etc/sudoers.d/vagrant
install -d -m 700 -o vagrant -g vagrant /home/vagrant/.ssh
install -m 600 -o vagrant -g vagrant /build/vagrant.pub /home/vagrant/.ssh/authorized_keys
install -m 755 /build/node-init /usr/local/sbin/ovnlab-node-init
echo 'UseDNS no' >/etc/ssh/sshd_config.d/ovnlab.conf
EOF
docker run --name "$builder" -v "$work:/build:ro" "$base" sh /build/build.sh
docker commit \
  --change 'CMD ["/usr/local/sbin/ovnlab-node-init"]' \
  --change 'LABEL ovnlab.image=vagrant-node' \
  "$builder" "$IMAGE" >/dev/null
log "built $IMAGE in $((SECONDS - started)) s"
echo "$IMAGE"
