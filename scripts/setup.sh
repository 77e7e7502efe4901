#!/usr/bin/env bash
# All set-up for a fresh Debian 12 machine (or a Pi OS Bookworm) with Python >= 3.11:
# system packages (when root), the project's virtual environment in .venv, translations.
# Idempotent and quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages, one line per need (keep this list the only place they are named):
APT_PACKAGES=(
  python3-venv python3-dev build-essential   # the venv and packages that compile
  xvfb xauth xdotool libgl1 libgl1-mesa-dri libegl1 libgles2 libmtdev1   # Kivy under Xvfb
  fonts-dejavu-core                          # a font with every Vietnamese diacritic
  postgresql postgresql-contrib              # district server tests on a real PostgreSQL
  chromium                                   # browser tests of the dashboard
  poppler-utils                              # pdftoppm: PDFs turned into images
  debootstrap systemd                        # throwaway Debian root, systemd-analyze verify
  tmux                                       # terminal program tests
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing system packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: these system packages are missing: ${missing[*]}" >&2
    echo "setup: run this script as root (or: sudo apt-get install ${missing[*]})" >&2
  fi
fi

PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "setup: Python >= 3.11 is needed; $("$PY" --version 2>&1) found. Set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv" >&2
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "setup: installing Python packages into .venv (about a minute the first time)" >&2
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev]'
  rm -f .venv/.installed-*
  touch "$stamp"
fi
# Compile the translation catalogues (.po -> .mo).
# Each area owns one catalogue (kiosk/locale/vi/LC_MESSAGES/<area>.po, district/locale/...).
for po in kiosk/locale/*/LC_MESSAGES/*.po district/locale/*/LC_MESSAGES/*.po; do
  [ -f "$po" ] || continue
  mo="${po%.po}.mo"
  if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then .venv/bin/pybabel compile -i "$po" -o "$mo" >/dev/null; fi
done
