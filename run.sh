#!/usr/bin/env bash
# Set up everything, then run the main job on the embedded demo.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
.venv/bin/classroom demo "$@"
# With a screen (and unless CLASSROOM_NO_UI=1), open the touchscreen kiosk on the demo room.
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "${CLASSROOM_NO_UI:-0}" != "1" ]; then
  exec .venv/bin/classroom ui --demo --config kiosk/examples/room.toml
fi
