#!/usr/bin/env bash
# Set up everything, then run the main job on the embedded demo.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
exec .venv/bin/classroom demo "$@"
