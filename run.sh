#!/usr/bin/env bash
# Set up everything, then run the main job on the embedded demo:
#  1. a simulated week of the demo room replayed through the core into a real journal,
#     its lesson verdicts and the week's share against the target, then the live agent
#     reading a simulated sensor board over a pseudo-terminal;
#  2. a demo district (3 schools, 8 rooms) fed by simulated Pis through the real enrol +
#     sync path, its scores, and the dashboard served on http://127.0.0.1:8000/web/
#     until Ctrl-C;
#  3. with a screen (unless CLASSROOM_NO_UI=1), the touchscreen kiosk on the demo room.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
.venv/bin/classroom demo "$@"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "${CLASSROOM_NO_UI:-0}" != "1" ]; then
  .venv/bin/classroom district-demo --port "${DISTRICT_PORT:-8000}" &
  district=$!
  trap 'kill "$district" 2>/dev/null; wait "$district" 2>/dev/null' EXIT
  .venv/bin/classroom ui --demo --config kiosk/examples/room.toml
else
  exec .venv/bin/classroom district-demo --port "${DISTRICT_PORT:-8000}"
fi
