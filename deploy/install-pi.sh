#!/usr/bin/env bash
# One command for a fresh Raspberry Pi (Raspberry Pi OS Lite, Bookworm, 64-bit):
#
#   sudo deploy/install-pi.sh --server https://so-gd.example.vn --code 123456 --room R101
#
# Installs the system packages, a virtual environment with the `pi` and `kiosk` extras
# under /opt/classroom/releases/<version> (/opt/classroom/current points at it), the
# `classroom` user and groups, the folders with their permissions, the systemd units
# and the journald drop-in; enrols the Pi with the district; starts everything.
# Running it again changes nothing. deploy/uninstall-pi.sh undoes it and keeps the
# journal. Every call that needs a running system goes through one variable, so a
# test (or a card being prepared in a chroot) can replace it:
#
#   SYSTEMCTL  systemctl                       (units: daemon-reload, enable, restart)
#
# With a touchscreen (the default) the agent and the kiosk run in one process
# (classroom-kiosk.service); with --headless the agent alone (classroom-agent.service).
#   APT_GET    apt-get                         (system packages; only when some are missing)
#   ENROLL     classroom enroll as the user    (the district; only when not yet enrolled)
#   PIP_ARGS   extra arguments for pip         (e.g. --no-index --find-links DIR)
#   PYTHON     python3                         (the interpreter the venv is made from)
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
PREFIX="${CLASSROOM_PREFIX:-/opt/classroom}"
ETC=/etc/classroom
STATE=/var/lib/classroom
UNIT_DIR=/etc/systemd/system
JOURNALD_DIR=/etc/systemd/journald.conf.d
SYSTEMCTL="${SYSTEMCTL:-systemctl}"
APT_GET="${APT_GET:-apt-get}"
PYTHON="${PYTHON:-python3}"
PIP_ARGS="${PIP_ARGS:-}"
EXTRAS="${CLASSROOM_EXTRAS:-pi,kiosk}"
USER_NAME=classroom
# Groups for GPIO, SPI, the serial bridge (agent) and the display, render and touch (kiosk).
DEVICE_GROUPS=(gpio spi dialout video render input)
# System packages the Pi needs beyond Raspberry Pi OS Lite: the venv, certificates for
# HTTPS to the district, and what Kivy's bundled SDL2 opens for KMS/DRM and touch.
PI_PACKAGES=(python3 python3-venv ca-certificates libgbm1 libdrm2 libegl1 libgles2 libmtdev1)

server="" code="" room="" source="" kiosk=1 changed=0

usage() {
  cat <<EOF
usage: $0 [--server URL --code CODE --room ROOM] [--source PATH] [--headless]
  --server URL   the district server (https://...)
  --code CODE    the enrolment code the district gave for this room
  --room ROOM    the room code, e.g. R101
  --source PATH  the release to install: a project folder or a wheel (default: this checkout)
  --headless     no touchscreen on this Pi: the agent alone (classroom-agent.service)
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --server) server="$2"; shift 2 ;;
    --code) code="$2"; shift 2 ;;
    --room) room="$2"; shift 2 ;;
    --source) source="$2"; shift 2 ;;
    --headless) kiosk=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
if [ -n "$server$code$room" ] && { [ -z "$server" ] || [ -z "$code" ] || [ -z "$room" ]; }; then
  echo "install: --server, --code and --room go together (all three or none)" >&2
  exit 2
fi
[ "$(id -u)" -eq 0 ] || { echo "install: run as root (sudo $0 ...)" >&2; exit 1; }
source="${source:-$(cd "$HERE/.." && pwd)}"

say() { echo "install: $*" >&2; }

# --- system packages ---------------------------------------------------------------
missing=()
for pkg in "${PI_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $APT_GET update -qq
  $APT_GET install -y -qq --no-install-recommends "${missing[@]}"
fi

# --- user, groups, folders ---------------------------------------------------------
for group in "${DEVICE_GROUPS[@]}"; do
  getent group "$group" >/dev/null || { groupadd --system "$group"; say "group $group created"; }
done
getent group "$USER_NAME" >/dev/null || groupadd --system "$USER_NAME"
if ! getent passwd "$USER_NAME" >/dev/null; then
  useradd --system --gid "$USER_NAME" --home-dir "$STATE" --no-create-home \
    --shell /usr/sbin/nologin --comment "classroom IT log" "$USER_NAME"
  say "user $USER_NAME created"
fi
for group in "${DEVICE_GROUPS[@]}"; do
  id -nG "$USER_NAME" | tr ' ' '\n' | grep -qx "$group" || usermod -aG "$group" "$USER_NAME"
done

ensure_dir() {  # path mode owner:group
  [ -d "$1" ] || mkdir -p "$1"
  [ "$(stat -c %a "$1")" = "$2" ] || chmod "$2" "$1"
  [ "$(stat -c %U:%G "$1")" = "$3" ] || chown "$3" "$1"
}
ensure_dir "$PREFIX" 755 root:root
ensure_dir "$PREFIX/releases" 755 root:root
ensure_dir "$ETC" 750 root:"$USER_NAME"
ensure_dir "$STATE" 750 "$USER_NAME:$USER_NAME"
ensure_dir "$STATE/journal" 750 "$USER_NAME:$USER_NAME"
ensure_dir "$STATE/status" 750 "$USER_NAME:$USER_NAME"
# After an uninstall and a new user id, the journal must still be the agent's.
if [ -n "$(find "$STATE" -not -user "$USER_NAME" -print -quit)" ]; then
  chown -R "$USER_NAME:$USER_NAME" "$STATE"
fi

if [ -n "$(find "$ETC" -nogroup -print -quit)" ]; then
  chgrp -R "$USER_NAME" "$ETC"
fi

# --- the program: one venv per release, /opt/classroom/current -> releases/<version> --
version="$("$PYTHON" - "$source" <<'EOF'
import re, sys, tomllib, zipfile
from pathlib import Path
src = Path(sys.argv[1])
if src.suffix == ".whl":
    print(re.split(r"-", src.name)[1])
else:
    print(tomllib.loads((src / "pyproject.toml").read_text())["project"]["version"])
EOF
)"
release="$PREFIX/releases/$version"
if [ ! -f "$release/.complete" ]; then
  say "installing classroom $version into $release"
  rm -rf "$release"
  "$PYTHON" -m venv "$release"
  # shellcheck disable=SC2086 # PIP_ARGS is a list of words on purpose
  "$release/bin/pip" install -q --disable-pip-version-check $PIP_ARGS "$source[$EXTRAS]"
  echo "$version" > "$release/.complete"
  changed=1
fi
if [ "$(readlink "$PREFIX/current" 2>/dev/null || true)" != "releases/$version" ]; then
  ln -sfn "releases/$version" "$PREFIX/current.new" && mv -T "$PREFIX/current.new" "$PREFIX/current"
  changed=1
fi

# --- configuration ----------------------------------------------------------------
install_file() {  # src dst mode owner:group -> sets changed=1 when the file changed
  if ! cmp -s "$1" "$2"; then
    install -m "$3" -o "${4%%:*}" -g "${4##*:}" "$1" "$2"
    changed=1
    say "wrote $2"
  fi
}
if [ ! -f "$ETC/room.toml" ]; then
  # A starting room file so the agent logs from the first minute; the district's copy
  # replaces it once the Pi is enrolled. Never overwritten by a later run.
  example="$(find "$release/lib" -path '*/kiosk/examples/room.toml' -print -quit)"
  [ -n "$example" ] || example="$source/kiosk/examples/room.toml"
  install -m 640 -o root -g "$USER_NAME" "$example" "$ETC/room.toml"
  say "wrote $ETC/room.toml (a starting room; the district's replaces it)"
fi
defaults="$(mktemp)"
printf '# Environment of the classroom units (deploy/install-pi.sh).\nCLASSROOM_LANG=vi\n' > "$defaults"
[ -f /etc/default/classroom ] || install_file "$defaults" /etc/default/classroom 644 root:root
rm -f "$defaults"

# --- units ------------------------------------------------------------------------
units_changed=0
before=$changed
mkdir -p "$UNIT_DIR" "$JOURNALD_DIR"
for unit in "$HERE"/pi/systemd/*.service "$HERE"/pi/systemd/*.timer; do
  install_file "$unit" "$UNIT_DIR/$(basename "$unit")" 644 root:root
done
install_file "$HERE/pi/systemd/journald-classroom.conf" "$JOURNALD_DIR/classroom.conf" 644 root:root
[ "$changed" = "$before" ] || units_changed=1

if [ "$units_changed" = 1 ]; then
  $SYSTEMCTL daemon-reload
  $SYSTEMCTL restart systemd-journald.service || say "journald not restarted (the drop-in applies at next boot)"
fi
# The journal has one writer: the agent runs either headless (classroom-agent) or
# with the touchscreen in the same process (classroom-kiosk), never both.
if [ "$kiosk" = 1 ]; then main_unit=classroom-kiosk.service other_unit=classroom-agent.service
else main_unit=classroom-agent.service other_unit=classroom-kiosk.service; fi
for unit in "$main_unit" classroom-firstboot.service classroom-update.timer; do
  $SYSTEMCTL is-enabled --quiet "$unit" 2>/dev/null || $SYSTEMCTL enable --quiet "$unit"
done
if $SYSTEMCTL is-enabled --quiet "$other_unit" 2>/dev/null; then
  $SYSTEMCTL disable --now --quiet "$other_unit"
  changed=1
fi

# --- enrolment --------------------------------------------------------------------
marker="$STATE/enrolled"
if [ -n "$server" ] && [ "$(cat "$marker" 2>/dev/null || true)" != "$server $room" ]; then
  ENROLL="${ENROLL:-runuser -u $USER_NAME -- env CLASSROOM_CONFIG=$ETC/room.toml $PREFIX/current/bin/classroom enroll}"
  say "enrolling room $room with $server"
  if $ENROLL --server "$server" --code "$code" --room "$room"; then
    printf '%s %s\n' "$server" "$room" > "$marker"
    chown "$USER_NAME:$USER_NAME" "$marker"
  else
    say "enrolment failed: the Pi logs locally; run the same command again when the network is up"
    enrol_failed=1
  fi
fi

# --- start ------------------------------------------------------------------------
if [ "$changed" = 1 ]; then
  $SYSTEMCTL restart "$main_unit"
else
  $SYSTEMCTL is-active --quiet "$main_unit" || $SYSTEMCTL start "$main_unit"
fi
say "done: classroom $version; check with: $PREFIX/current/bin/classroom doctor"
exit "${enrol_failed:-0}"
