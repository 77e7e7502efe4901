#!/usr/bin/env bash
# Make this Pi's card ready to be imaged and cloned to many Pis: stop the agent and
# remove everything that must be unique to one Pi (journal, identity, cached district
# config, status, machine id, SSH host keys). Every clone then starts empty, gets its
# own machine id and SSH keys at first boot, and enrols from its own classroom.toml.
# Run last, then power off and image the card:  sudo deploy/prepare-image.sh && sudo poweroff
set -euo pipefail
SYSTEMCTL="${SYSTEMCTL:-systemctl}"
STATE=/var/lib/classroom
[ "$(id -u)" -eq 0 ] || { echo "prepare-image: run as root" >&2; exit 1; }
for unit in classroom-kiosk.service classroom-agent.service; do
  $SYSTEMCTL stop "$unit" 2>/dev/null || true
done
rm -rf "${STATE:?}/journal/"* "$STATE/status/"* "$STATE/identity.json" "$STATE/district-config.json" "$STATE/enrolled"
rm -f /boot/firmware/classroom.toml.done
: > /etc/machine-id                      # systemd makes a new one at first boot
rm -f /var/lib/dbus/machine-id
rm -f /etc/ssh/ssh_host_*
# Raspberry Pi OS's one-shot unit makes new SSH host keys at the next boot.
$SYSTEMCTL enable regenerate_ssh_host_keys.service 2>/dev/null || echo "prepare-image: make SSH keys on each clone: dpkg-reconfigure openssh-server" >&2
echo "prepare-image: this card is ready to image; power off now" >&2
