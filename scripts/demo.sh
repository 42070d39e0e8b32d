#!/usr/bin/env bash
# Set everything up (Debian packages, .venv, pinned packages) and run the demo on the bundled sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/monitor demo "$@"
