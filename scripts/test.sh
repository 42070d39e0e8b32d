#!/usr/bin/env bash
# Set everything up, test extras included, and run the whole test suite (what CI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --with-test
exec .venv/bin/python -m pytest -q "$@"
