#!/usr/bin/env bash
# Builds the Vagrant box that the vagrant driver's libvirt provider boots as lab
# nodes: Debian bookworm from Debian's packages only (debootstrap minbase, then
# the kernel, systemd, Open vSwitch, OVN, sshd, sudo and the tools provisioning
# uses: the guests have no network to fetch packages), a `vagrant` user with
# Vagrant's insecure key, an EMPTY /etc/machine-id (each guest makes its own, so
# OVS bridges and ports get distinct MACs), one ext4 filesystem as a qcow2 disk,
# and the guest's kernel and initrd beside it: the box's own Vagrantfile boots
# them directly (vagrant-libvirt kernel/initrd/cmd_line), no bootloader.
#
#   bash scripts/vagrant-libvirt-box.sh   prints the box name; builds it (~3 min) into
#                                         ~/.cache/ovnlab/<box>/ and `vagrant box add`s it,
#                                         each only when missing
#
# The content version is in the name (the cache key): bump BOX_VERSION when what is inside changes.
set -euo pipefail
BOX_VERSION=1
BOX="ovnlab/bookworm-libvirt-$BOX_VERSION"
CACHE="${OVNLAB_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ovnlab}/vagrant-libvirt-box-bookworm-$BOX_VERSION"
MIRROR="${OVNLAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# The node's provisioning packages (remote/provisionScript.ts provisionPackages) and what a VM boots and is reached with.
PACKAGES=(linux-image-amd64 systemd systemd-sysv udev dbus kmod openvswitch-switch openvswitch-common ovn-central ovn-host
  openssh-server sudo iproute2 ethtool iputils-arping iputils-ping procps tcpdump)

log() { echo "[vagrant-libvirt-box] $*" >&2; }

box_added() { vagrant box list --machine-readable 2>/dev/null | grep -q ",box-name,$BOX\$"; }

if [[ -f "$CACHE/$BOX_VERSION.box" ]] && box_added; then
  log "$BOX is in $CACHE and added to Vagrant"
  echo "$BOX"
  exit 0
fi
for tool in debootstrap vagrant qemu-img mkfs.ext4; do
  command -v "$tool" >/dev/null || { log "needs $tool (scripts/setup.sh installs it)"; exit 1; }
done

started=$SECONDS
if [[ ! -f "$CACHE/$BOX_VERSION.box" ]]; then
  insecure_key=$(dpkg -L vagrant | grep '/keys/vagrant\.pub$')
  work=$(mktemp -d /var/tmp/ovnlab-libvirt-box.XXXXXX)
  root="$work/rootfs"
  cleanup() {
    for mount in "$root/dev/pts" "$root/dev" "$root/proc" "$root/sys"; do
      if mountpoint -q "$mount" 2>/dev/null; then umount -l "$mount"; fi
    done
    rm -rf "$work"
  }
  trap cleanup EXIT

  log "debootstrap bookworm (minbase) from $MIRROR"
  debootstrap --variant=minbase bookworm "$root" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }

  log "installing ${PACKAGES[*]} in the chroot (no package script starts a daemon here: policy-rc.d)"
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod +x "$root/usr/sbin/policy-rc.d"
  echo "deb $MIRROR bookworm main" >"$root/etc/apt/sources.list"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mount -t proc proc "$root/proc"
  mount -t sysfs sysfs "$root/sys"
  mount --bind /dev "$root/dev"
  mount --bind /dev/pts "$root/dev/pts"
  chroot "$root" env DEBIAN_FRONTEND=noninteractive sh -c \
    "apt-get update -qq && apt-get install -y -qq --no-install-recommends ${PACKAGES[*]} >/dev/null && apt-get clean" \
    >"$work/install.log" 2>&1 || { tail -30 "$work/install.log" >&2; exit 1; }
  for mount in "$root/dev/pts" "$root/dev" "$root/sys" "$root/proc"; do umount "$mount"; done

  log "the vagrant user, sshd, networking and an empty machine-id"
  chroot "$root" useradd --create-home --shell /bin/bash vagrant
  echo 'vagrant ALL=(ALL) NOPASSWD: ALL' >"$root/etc/sudoers.d/vagrant"
  chmod 440 "$root/etc/sudoers.d/vagrant"
  install -d -m 700 "$root/home/vagrant/.ssh"
  install -m 600 "$insecure_key" "$root/home/vagrant/.ssh/authorized_keys"
  chroot "$root" chown -R vagrant:vagrant /home/vagrant/.ssh
  # Host keys are the guest's own, made at its first boot (before `sshd -t`, which fails without them).
  rm -f "$root"/etc/ssh/ssh_host_*
  mkdir -p "$root/etc/systemd/system/ssh.service.d"
  printf '[Service]\nExecStartPre=\nExecStartPre=/usr/bin/ssh-keygen -A\nExecStartPre=/usr/sbin/sshd -t\n' \
    >"$root/etc/systemd/system/ssh.service.d/ovnlab-host-keys.conf"
  echo 'UseDNS no' >"$root/etc/ssh/sshd_config.d/ovnlab.conf"
  # The management NIC (eth0, net.ifnames=0) by DHCP from libvirt's network; Vagrant writes 50-vagrant-eth1.network for the private one.
  printf '[Match]\nName=eth0\n[Network]\nDHCP=ipv4\n' >"$root/etc/systemd/network/10-management.network"
  chroot "$root" systemctl enable systemd-networkd.service ssh.service >/dev/null 2>&1
  echo '/dev/vda / ext4 defaults,errors=remount-ro 0 1' >"$root/etc/fstab"
  echo ovnlab-node >"$root/etc/hostname"
  : >"$root/etc/machine-id"
  rm -f "$root/var/lib/dbus/machine-id" "$root/etc/resolv.conf" "$root/usr/sbin/policy-rc.d"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin

  log "kernel and initrd beside the disk; ext4 from the directory; qcow2"
  mkdir -p "$work/box"
  cp "$(readlink -f "$root/vmlinuz")" "$work/box/vmlinuz"
  cp "$(readlink -f "$root/initrd.img")" "$work/box/initrd.img"
  truncate -s 4G "$work/root.raw"
  mkfs.ext4 -q -F -L ovnlab-root -d "$root" "$work/root.raw"
  rm -rf "$root"
  qemu-img convert -O qcow2 "$work/root.raw" "$work/box/box.img"
  rm -f "$work/root.raw"
  echo '{"provider":"libvirt","format":"qcow2","virtual_size":4}' >"$work/box/metadata.json"
  cat >"$work/box/Vagrantfile" <<'EOF'
# ovnlab's libvirt box: the guest's kernel and initrd live in the box, booted directly (no bootloader on the disk).
Vagrant.configure("2") do |config|
  config.vm.provider "libvirt" do |lv|
    lv.kernel = File.join(File.dirname(__FILE__), "vmlinuz")
    lv.initrd = File.join(File.dirname(__FILE__), "initrd.img")
    lv.cmd_line = "root=/dev/vda rw console=ttyS0 net.ifnames=0 biosdevname=0 quiet"
    lv.disk_bus = "virtio"
  end
end
EOF
  mkdir -p "$CACHE"
  cp "$work/box/vmlinuz" "$work/box/initrd.img" "$CACHE/"
  tar -C "$work/box" -cf "$CACHE/$BOX_VERSION.box.tmp" metadata.json Vagrantfile box.img vmlinuz initrd.img
  mv "$CACHE/$BOX_VERSION.box.tmp" "$CACHE/$BOX_VERSION.box"
  log "built $CACHE/$BOX_VERSION.box ($(du -h "$CACHE/$BOX_VERSION.box" | cut -f1)) in $((SECONDS - started)) s"
fi

if ! box_added; then
  vagrant box add --force --name "$BOX" "$CACHE/$BOX_VERSION.box" >&2
  log "added $BOX to Vagrant (${VAGRANT_HOME:-~/.vagrant.d}) after $((SECONDS - started)) s"
fi
echo "$BOX"
