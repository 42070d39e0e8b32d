"""Shared fixtures: running real ``scrapy crawl`` subprocesses against the local sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
# the sandbox fleet's clock for end-to-end tests: fixed, so results never depend on the machine
SANDBOX_NOW = "2026-11-20T10:00:00+08:00"


def scrapy_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("MONITOR_") and k.lower() not in ("http_proxy", "https_proxy", "no_proxy")}
    env["SCRAPY_SETTINGS_MODULE"] = "monitor.settings"
    env["MONITOR_LOG_LEVEL"] = "INFO"
    env.update(extra)
    return env


def run_scrapy(*args: str, timeout: float = 180, **env: str) -> subprocess.CompletedProcess:
    """``scrapy …`` in a subprocess (the Twisted reactor cannot restart in-process), bounded in time."""
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=PROJECT, env=scrapy_env(**env),
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def run_crawl():
    return run_scrapy
