#!/usr/bin/env bash
# Set up everything, then run every check and test.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
echo "== ruff" && .venv/bin/ruff check .
echo "== mypy" && .venv/bin/mypy
echo "== import contracts" && .venv/bin/lint-imports
echo "== pytest" && exec .venv/bin/pytest "$@"
