#!/usr/bin/env bash
# Sets up everything portal-monitor needs on a fresh Debian machine with Python 3.11:
# Debian packages (python3-venv, chromium for JS rendering), the virtualenv in .venv and the pinned
# Python packages. Idempotent: a second run only checks. Usage: scripts/setup.sh [--with-test]
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--with-test" ] && want_test=1

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
apt_updated=0
apt_install() {
  if ! command -v apt-get >/dev/null; then echo "setup: apt-get not found; install $* yourself" >&2; return 1; fi
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq && apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

PY=""
for cand in python3.11 python3; do
  if command -v "$cand" >/dev/null && "$cand" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    PY=$(command -v "$cand"); break
  fi
done
if [ -z "$PY" ]; then
  apt_install python3.11 python3.11-venv || true
  PY=$(command -v python3.11 || true)
fi
[ -n "$PY" ] || { echo "setup: Python 3.11 is required (apt-get install python3.11 python3.11-venv)" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  if ! "$PY" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    apt_install python3-venv python3.11-venv || apt_install python3-venv
    "$PY" -m venv .venv
  fi
fi

extras=""
stamp=".venv/.installed"
if [ "$want_test" = 1 ]; then
  extras="[test]"
  stamp=".venv/.installed-test"
fi
hash=$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$hash" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade "pip>=23" >/dev/null
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extras}"
  echo "$hash" > "$stamp"
fi

# Chromium renders the homepages whose elements only appear after JavaScript runs (scrapy-playwright,
# Debian's chromium: Playwright cannot download browsers here). Without it the crawl runs static-only.
if [ ! -x /usr/bin/chromium ] && [ "${MONITOR_SKIP_CHROMIUM:-0}" != 1 ]; then
  apt_install chromium || echo "setup: chromium could not be installed; JS rendering will be off" >&2
fi
echo "setup: ready (.venv, $(.venv/bin/python --version), chromium: $( [ -x /usr/bin/chromium ] && echo yes || echo no))"
