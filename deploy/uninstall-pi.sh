#!/usr/bin/env bash
# Undo deploy/install-pi.sh: stop and remove the units, the journald drop-in, the
# program (/opt/classroom), its environment file, the `classroom` user and group.
# The journal and the Pi's state (/var/lib/classroom) are kept, and so is the room
# configuration and enrolment (/etc/classroom) unless --purge-config is given: a
# reinstall goes on with the same journal, sequence numbers and sync cursor.
# SYSTEMCTL as in install-pi.sh.
set -euo pipefail
PREFIX="${CLASSROOM_PREFIX:-/opt/classroom}"
SYSTEMCTL="${SYSTEMCTL:-systemctl}"
UNIT_DIR=/etc/systemd/system
purge_config=0
for arg in "$@"; do
  case "$arg" in
    --purge-config) purge_config=1 ;;
    -h|--help) echo "usage: $0 [--purge-config]"; exit 0 ;;
    *) echo "uninstall: unknown option $arg" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "uninstall: run as root" >&2; exit 1; }
say() { echo "uninstall: $*" >&2; }

units=(classroom-kiosk.service classroom-update.timer classroom-update.service
       classroom-firstboot.service classroom-agent.service)
for unit in "${units[@]}"; do
  if [ -f "$UNIT_DIR/$unit" ]; then
    # The agent's stop is clean: SIGTERM, it journals "stop" and closes the day file.
    $SYSTEMCTL disable --now --quiet "$unit" || say "$unit was not running"
    rm -f "$UNIT_DIR/$unit"
    say "removed $unit"
  fi
done
if [ -f /etc/systemd/journald.conf.d/classroom.conf ]; then
  rm -f /etc/systemd/journald.conf.d/classroom.conf
  rmdir --ignore-fail-on-non-empty /etc/systemd/journald.conf.d
fi
$SYSTEMCTL daemon-reload
rm -rf "$PREFIX"
rm -f /etc/default/classroom
[ "$purge_config" = 1 ] && rm -rf /etc/classroom
if getent passwd classroom >/dev/null; then userdel classroom; say "user classroom removed"; fi
if getent group classroom >/dev/null; then groupdel classroom; fi
say "done; the journal is kept in /var/lib/classroom/journal"
