"""Shared fixtures: running real ``scrapy crawl`` subprocesses against the local sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# property-based tests (tests/test_fuzz.py): a bounded, reproducible run in the suite; a longer random
# one with HYPOTHESIS_PROFILE=long. The deadline bounds the time spent on any single input.
hypothesis_settings.register_profile("ci", max_examples=60, deadline=3000, derandomize=True,
                                     print_blob=True)
hypothesis_settings.register_profile("long", max_examples=3000, deadline=10000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

PROJECT = Path(__file__).resolve().parent.parent
# the sandbox fleet's clock for end-to-end tests: fixed, so results never depend on the machine
SANDBOX_NOW = "2026-11-20T10:00:00+08:00"


def scrapy_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("MONITOR_") and k.lower() not in ("http_proxy", "https_proxy", "no_proxy")}
    env["SCRAPY_SETTINGS_MODULE"] = "monitor.settings"
    env["MONITOR_LOG_LEVEL"] = "INFO"
    # every test crawl goes through the sandbox's proxy on 127.0.0.1 (monitor/guard.py refuses
    # internal addresses otherwise; tests/test_guard.py checks that it does)
    env["MONITOR_ALLOW_PRIVATE_ADDRESSES"] = "1"
    env["MONITOR_AUTOTHROTTLE"] = "0"  # politeness towards real portals; the sandbox is local
    env.update(extra)
    return env


def run_scrapy(*args: str, timeout: float = 180, **env: str) -> subprocess.CompletedProcess:
    """``scrapy …`` in a subprocess (the Twisted reactor cannot restart in-process), bounded in time."""
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=PROJECT, env=scrapy_env(**env),
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def run_crawl():
    return run_scrapy


@pytest.fixture(scope="module")
def sandbox():
    """The bundled sandbox fleet at its audit phase, on a free port, for one test module."""
    from monitor.clock import parse_now
    from monitor.sandbox import Sandbox
    sb = Sandbox(now=parse_now(SANDBOX_NOW), phase="audit")
    sb.start()
    try:
        yield sb
    finally:
        sb.stop()


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """``monitor demo`` once per test session (two minutes of crawls): (store, exports folder,
    printed output). The tests that read it do not change it."""
    from click.testing import CliRunner

    from monitor.cli import cli
    out = tmp_path_factory.mktemp("demo")
    db = out / "demo.db"
    result = CliRunner().invoke(cli, ["demo", "--db", str(db), "--out", str(out / "out"), "--now", SANDBOX_NOW])
    assert result.exit_code == 0, result.output[-3000:]
    return db, out / "out", result.output


def crawl_sandbox(sandbox, db, *args, spider="portal", now=SANDBOX_NOW, timeout_s=3, **env):
    """``scrapy crawl SPIDER`` of the sandbox fleet into ``db`` (short download timeout: the
    sandbox's timeout portal sleeps far longer)."""
    from monitor.paths import SANDBOX_REGISTRY_CSV
    extra = ["-a", "region=all"] if spider in ("portal", "probe") and not any("=" in a for a in args) else []
    return run_scrapy("crawl", spider, *extra, *args, "-s", f"DOWNLOAD_TIMEOUT={timeout_s}",
                      http_proxy=sandbox.url, MONITOR_REGISTRY=str(SANDBOX_REGISTRY_CSV), MONITOR_DB=str(db),
                      MONITOR_NOW=now, MONITOR_GOVCN_BASE="http://www.gov.cn", **env)
