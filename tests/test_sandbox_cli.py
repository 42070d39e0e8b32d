"""``monitor sandbox`` as users and benchmarks run it: a subprocess printing its URL first."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import urllib.request

import pytest
from click.testing import CliRunner

from monitor.cli import cli


def _start(*args):
    proc = subprocess.Popen([sys.executable, "-c", "from monitor.cli import main; main()", "sandbox", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return proc


def _stop(proc):
    proc.terminate()
    try:
        return proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
        proc.stdout.close()
        proc.stderr.close()


def _get(proxy, url):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy}))
    with opener.open(url, timeout=10) as r:
        return r.read()


def test_cli_prints_the_proxy_url_first_and_serves_until_terminated():
    proc = _start("--port", "0", "--phase", "decay", "--now", "2026-12-11T12:00:00+08:00")
    try:
        first = proc.stdout.readline().strip()
        assert first.startswith("http://127.0.0.1:")
        health = json.loads(_get(first, "http://sandbox.control/health"))
        assert health["phase"] == "decay" and health["now"] == "2026-12-11T12:00:00+08:00"
        assert health["audit_now"] == "2026-11-20T12:00:00+08:00"
        assert b"<meta name=\"SiteName\"" in _get(first, "http://www.henan.gov.cn/")
    finally:
        assert _stop(proc) == 0


def test_cli_synthetic_fleet_writes_its_registry(tmp_path):
    out = tmp_path / "fleet.csv"
    proc = _start("--size", "40", "--seed", "3", "--write-registry", str(out), "--now", "2026-11-20T12:00")
    try:
        proxy = proc.stdout.readline().strip()
        with out.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert len(rows) == 40
        assert b"<html>" in _get(proxy, rows[0]["url"])
    finally:
        _stop(proc)


@pytest.mark.parametrize("args,message", [(["--now", "yesterday"], "ISO"),
                                          (["--registry", "/nonexistent.csv"], "no such file")])
def test_cli_bad_input_is_one_line(args, message):
    result = CliRunner().invoke(cli, ["sandbox", *args])
    assert result.exit_code == 2 and message in result.output


def test_cli_help_has_an_example():
    result = CliRunner().invoke(cli, ["sandbox", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output and "--size" in result.output
