"""``monitor notify`` against real local receivers: an SMTP server (aiosmtpd) and an HTTP server for
the JSON/DingTalk/WeCom webhooks. What the messages say, that a second run sends nothing, that a
channel that is down gets its message at the next run, and that history is not sent."""

from __future__ import annotations

import json
from datetime import timedelta

import markdown
import pytest
from click.testing import CliRunner

import findings_store as fs
from monitor.cli import cli
from monitor.clock import iso
from monitor.config import MonitorSettings, SettingsError
from monitor.notify import load_recipients, notify_after_crawl, recipients_from_urls
from monitor.notify.messages import event_lines, md
from monitor.notify.recipients import RecipientsError
from monitor.store import Store
from monitor.store.notifications import notification_rows
from receivers import SMTPReceiver, WebhookReceiver, free_port

REGIONS = {p.region for p in fs.PORTALS}
PORTAL_IDS = {p.id for p in fs.PORTALS}


@pytest.fixture(autouse=True)
def no_proxy_for_loopback(monkeypatch):
    """Apprise posts through requests, which honours http_proxy: the local receivers are direct."""
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "monitor.db"
    info = fs.build(path)
    return path, info


def run(*args, now=fs.NOW, **env):
    runner = CliRunner(env={"MONITOR_NOW": iso(now), **env})
    return runner.invoke(cli, ["notify", *map(str, args)], catch_exceptions=False)


def rows(path) -> list[dict]:
    with Store(path) as s:
        return notification_rows(s)


def write(tmp_path, text: str, name="notify.yml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_messages_per_recipient_and_region_then_nothing_twice(store, tmp_path):
    db, info = store
    with SMTPReceiver() as smtp, WebhookReceiver() as hook:
        recipients = write(tmp_path, f"""
version: 1
urls:
  - mailto://127.0.0.1:{smtp.port}?from=monitor@example.org&to=henan-office@example.org:
      tag: henan
  - json://127.0.0.1:{hook.port}/hooks/hebei:
      tag: hebei-*
  - json://127.0.0.1:{hook.port}/hooks/national:
      tag: "*"
""")
        result = run("--db", db, "--file", recipients)
        assert result.exit_code == 0, result.output
        # the city office's mail: henan only, one message, both henan events
        assert len(smtp.messages) == 1
        mail = smtp.messages[0]
        assert smtp.envelopes[0][1] == ["henan-office@example.org"]
        assert "henan" in mail["Subject"] and "1 new" in mail["Subject"] and "1 recovered" in mail["Subject"]
        text = SMTPReceiver.text(mail)
        crawl2 = info["crawls"][2]
        assert "郑州市人民政府" in text and "henan-zhengzhou" in text and "我为政府网站找错" in text
        assert "failing since 自 2026-12-10" in text
        assert "baseline 基线 2026-11-20: present" in text and "missing" in text
        assert f"monitor evidence henan-zhengzhou --crawl {crawl2}" in text
        assert "开封市人民政府" in text and "恢复于 2026-12-11" in text
        assert "hebei" not in text and "bumen" not in text
        # the webhooks: JSON with title and body; the glob on portal ids picked hebei-sheng
        (hebei,) = hook.at("/hooks/hebei")
        assert "hebei" in hebei["json"]["title"]
        assert "河北省人民政府" in hebei["json"]["message"] and "reachable" in hebei["json"]["message"]
        national = hook.at("/hooks/national")
        assert sorted(r["json"]["title"].split(":")[0] for r in national) == ["portal-monitor hebei",
                                                                               "portal-monitor henan"]
        assert all("bumen" not in r["json"]["message"] for r in national)
        recorded = rows(db)
        assert {r["status"] for r in recorded} == {"sent"}
        assert all("@" not in r["recipient"] and r["recipient_url"].startswith(("mailto://", "json://"))
                   for r in recorded)
        # a second run (a restart) sends nothing
        again = run("--db", db, "--file", recipients)
        assert again.exit_code == 0, again.output
        assert len(smtp.messages) == 1 and len(hook.requests) == 3
        assert "sent 0 message(s)" in again.output
        assert len(rows(db)) == len(recorded)


def test_a_channel_that_is_down_gets_the_message_at_the_next_run(store, tmp_path):
    db, _ = store
    port = free_port()  # nothing listens there yet: connection refused
    with WebhookReceiver() as hook:
        hook.status = 503  # the other channel answers, with an error
        args = ["--db", db, "--to", f"json://127.0.0.1:{port}/down", "--to", f"json://127.0.0.1:{hook.port}/busy"]
        first = run(*args)
        assert first.exit_code == 1
        assert f"not delivered to json://127.0.0.1:{port}/down" in first.stderr
        assert f"not delivered to json://127.0.0.1:{hook.port}/busy" in first.stderr
        assert "retried at the next run" in first.stderr
        failed = rows(db)
        assert failed and {r["status"] for r in failed} == {"failed"}
        assert all(r["attempts"] == 1 and r["error"] for r in failed)
        assert len(hook.requests) == 2  # henan and hebei, both answered 503
        hook.status = 200
        with WebhookReceiver(port=port) as back:
            second = run(*args)
            assert second.exit_code == 0, second.output
            assert len(back.requests) == 2 and len(hook.requests) == 2 + 2
            titles = sorted(r["json"]["title"] for r in back.requests)
            assert titles[0].startswith("portal-monitor hebei") and titles[1].startswith("portal-monitor henan")
            assert "monitor evidence henan-zhengzhou" in back.requests[1]["json"]["message"]
            assert {r["status"] for r in rows(db)} == {"sent"}
            third = run(*args)
            assert third.exit_code == 0 and len(back.requests) == 2


def test_dry_run_prints_the_messages_and_records_nothing(store, tmp_path):
    db, _ = store
    with WebhookReceiver() as hook:
        result = run("--db", db, "--to", f"json://127.0.0.1:{hook.port}/x", "--dry-run")
        assert result.exit_code == 0, result.output
        assert hook.requests == []
    assert rows(db) == []
    assert f"=== to json://127.0.0.1:{hook.port}/x (region henan, 3 event(s))" in result.output
    assert "郑州市人民政府" in result.output and "would send 2 message(s), 4 event(s)" in result.output


def test_history_is_not_announced_unless_asked(store, tmp_path):
    db, _ = store
    with WebhookReceiver() as hook:
        later = fs.NOW + timedelta(days=30)
        quiet = run("--db", db, "--to", f"json://127.0.0.1:{hook.port}/x", now=later)
        assert quiet.exit_code == 0 and hook.requests == []
        assert "sent 0 message(s)" in quiet.output
        asked = run("--db", db, "--to", f"json://127.0.0.1:{hook.port}/x", "--since", "2026-11-01", now=later)
        assert asked.exit_code == 0 and len(hook.requests) == 2


def test_region_selection_and_daily_digest(store, tmp_path):
    db, _ = store
    with WebhookReceiver() as hook:
        recipients = write(tmp_path, f"""
urls:
  - json://127.0.0.1:{hook.port}/digest:
      tag: "*, digest-daily"
""")
        first = run("--db", db, "--file", recipients, "--region", "henan")
        assert first.exit_code == 0, first.output
        (digest,) = hook.requests
        assert "daily digest" in digest["json"]["title"] and "### henan" in digest["json"]["message"]
        assert "hebei" not in digest["json"]["message"]
        # later that day a new failure: kept for tomorrow's digest, with hebei's
        fs.add_crawl(db, fs.NOW + timedelta(hours=1), {("bumen-moe", "error_link"): False,
                                                       ("henan-zhengzhou", "error_link"): False,
                                                       ("hebei-sheng", "reachable"): False})
        same_day = run("--db", db, "--file", recipients, now=fs.NOW + timedelta(hours=3))
        assert same_day.exit_code == 0 and len(hook.requests) == 1
        assert "event(s) kept for the digest of json://" in same_day.output
        next_day = run("--db", db, "--file", recipients, now=fs.NOW + timedelta(days=1))
        assert next_day.exit_code == 0 and len(hook.requests) == 2
        body = hook.requests[1]["json"]["message"]
        assert "### bumen" in body and "### hebei" in body and "### henan" not in body


def test_recipients_file_problems_are_one_line_each_with_file_and_line(store, tmp_path):
    path = write(tmp_path, """version: 1
urls:
  - json://127.0.0.1:9/ok:
      tag: henan
  - nosuchscheme://host/x:
      tag: hebei
  - json://127.0.0.1:9/untagged
  - json://127.0.0.1:9/typo:
      tag: hennan
  - dingtalk://:
      tag: bumen
""")
    with pytest.raises(RecipientsError) as err:
        load_recipients(path, REGIONS, PORTAL_IDS)
    lines = str(err.value).splitlines()
    name = str(path)
    assert any(line.startswith(f"{name}:5: ") and "nosuchscheme" in line for line in lines), lines
    assert any(line.startswith(f"{name}:7: URL without a tag") for line in lines), lines
    assert any(line.startswith(f"{name}:8: tag 'hennan' matches no region or portal") for line in lines), lines
    assert any(line.startswith(f"{name}:10: ") for line in lines), lines
    assert not any(line.startswith(f"{name}:3:") for line in lines)
    # the CLI says the same, one line each, no traceback
    result = CliRunner().invoke(cli, ["notify", "--file", str(path), "--db", str(store[0])])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.count(f"{name}:") == len(lines)
    # an invalid YAML file and a missing one
    broken = write(tmp_path, "urls:\n  - json://a:\n      tag: [henan\n", name="broken.yml")
    with pytest.raises(RecipientsError, match=rf"^{broken}:\d+: not valid YAML"):
        load_recipients(broken)
    with pytest.raises(RecipientsError, match="no such file"):
        load_recipients(tmp_path / "missing.yml")


def test_apprise_text_format_and_vendor_urls_are_accepted(tmp_path):
    path = write(tmp_path, "# offices\nhenan=json://127.0.0.1:9/henan\nbumen-moe,hebei=dingtalk://abcdef0123456789\n"
                           "hebei=wecombot://KEY0123\n", name="notify.txt")
    got = load_recipients(path, REGIONS, PORTAL_IDS)
    assert [(r.label.split("://")[0], r.patterns) for r in got] == [
        ("json", ("henan",)), ("dingtalk", ("bumen-moe", "hebei")), ("wecombot", ("hebei",))]
    assert got[1].wants("bumen-moe", "bumen") and not got[1].wants("bumen-mee", "bumen")
    assert "0123456789" not in got[1].label  # tokens are masked wherever a URL is shown or stored
    urls = recipients_from_urls(["dingtalk://abcdef0123456789", "wecombot://KEY0123", "feishu://token0123",
                                 "mailto://user:secret@mail.example.org?to=a@example.org"])
    assert len(urls) == 4 and all(r.wants("x", "y") for r in urls)
    assert all("secret" not in r.label for r in urls)
    with pytest.raises(RecipientsError, match=r"^--to nosuch://"):
        recipients_from_urls(["nosuch://x"])


@pytest.mark.parametrize(("plugin", "url", "check"), [
    ("dingtalk", "dingtalk://{token}", lambda p: p["msgtype"] == "markdown" and "郑州市人民政府" in p["markdown"]["text"]),
    ("wecombot", "wecombot://{token}", lambda p: "郑州市人民政府" in json.dumps(p, ensure_ascii=False)),
])
def test_vendor_payloads_reach_a_local_stand_in(store, monkeypatch, plugin, url, check):
    """DingTalk's and WeCom's real senders, with only their fixed https host pointed at the local
    server (Apprise has no host option for them)."""
    db, _ = store
    module = __import__(f"apprise.plugins.{plugin}", fromlist=["x"])
    cls = getattr(module, {"dingtalk": "NotifyDingTalk", "wecombot": "NotifyWeComBot"}[plugin])
    with WebhookReceiver() as hook:
        query = {"dingtalk": "access_token={token}", "wecombot": "key={key}"}[plugin]
        target = f"http://127.0.0.1:{hook.port}/{plugin}/send?{query}"
        monkeypatch.setattr(cls, "notify_url", target)
        result = run("--db", db, "--region", "henan", "--to", url.format(token="abcdef0123456789"))
        assert result.exit_code == 0, result.output
        (request,) = hook.requests
        assert request["path"].startswith(f"/{plugin}/send")
        assert check(request["json"])


def test_crawled_text_is_escaped_in_messages():
    payload = {"portal_id": "henan-x", "name": "<b>x</b>", "check": "policy_column", "kind": "began",
               "first_failed_at": "2026-12-10T10:00:00+08:00", "baseline_value": "[ok](javascript:alert(1))",
               "current_value": "<img src=x onerror=alert(1)>", "baseline_kind": "baseline",
               "evidence": {"url": "javascript:alert(1)", "reason": "*bold* `code` <script>"}, "crawl_id": "c1"}
    body = "\n".join(event_lines(payload))
    rendered = markdown.markdown(body)
    assert "<img" not in rendered and "<script" not in rendered and "<b>" not in rendered
    assert "href" not in rendered  # nothing crawled became a link
    assert "page 页面" not in body  # a javascript: URL is not shown as the page
    assert md("a\nb|c") == "a b\\|c"


def test_notify_on_close_needs_a_file_and_the_closing_step_sends(store, tmp_path):
    with pytest.raises(SettingsError, match="MONITOR_NOTIFY_ON_CLOSE"):
        MonitorSettings.load({"MONITOR_NOTIFY_ON_CLOSE": "1"}, environ={})
    db, _ = store
    with WebhookReceiver() as hook:
        recipients = write(tmp_path, f"urls:\n  - json://127.0.0.1:{hook.port}/close:\n      tag: hebei\n")
        settings = MonitorSettings.load({"MONITOR_NOTIFY_ON_CLOSE": "1", "MONITOR_NOTIFY_FILE": str(recipients),
                                         "MONITOR_DB": str(db)}, environ={})
        with Store(db) as s:
            outcome = notify_after_crawl(s, settings, fs.NOW)
        assert outcome is not None and outcome.ok and len(hook.requests) == 1
        assert "河北省人民政府" in hook.requests[0]["json"]["message"]


def test_merged_stores_keep_a_delivered_announcement(store, tmp_path):
    import shutil

    from monitor.store.merge import POLICIES, merge_stores
    assert "notifications" in POLICIES
    db, _ = store
    port = free_port()
    args = ["--db", db, "--to", f"json://127.0.0.1:{port}/hook"]
    assert run(*args).exit_code == 1  # nothing listens: failed
    failed_copy = tmp_path / "node-failed.db"
    with Store(db) as s:
        s.db.execute("pragma wal_checkpoint(TRUNCATE)")
    shutil.copy(db, failed_copy)
    with WebhookReceiver(port=port):
        assert run(*args).exit_code == 0
    out = tmp_path / "merged.db"
    merge_stores([str(db), str(failed_copy)], str(out))
    merge_stores([str(failed_copy), str(db)], str(tmp_path / "merged2.db"))
    for merged in (out, tmp_path / "merged2.db"):
        assert {r["status"] for r in rows(merged)} == {"sent"}


def test_a_portal_crawl_closing_runs_notify_after_judging(store, tmp_path):
    """The crawl session's last closing step, through a real Scrapy crawler and the portal spider."""
    from scrapy.utils.test import get_crawler

    from pipelines.session import CrawlSession
    from spiders.portal import PortalSpider

    db, _ = store
    registry = tmp_path / "portals.csv"
    registry.write_text("id,name,region,level,url,site_code,status,migrated_to,render\n" + "".join(
        f"{p.id},{p.name},{p.region},{p.level},{p.url},{p.site_code},{p.status},,{p.render}\n" for p in fs.PORTALS),
        encoding="utf-8")
    with WebhookReceiver() as hook:
        recipients = write(tmp_path, f"urls:\n  - json://127.0.0.1:{hook.port}/close:\n      tag: henan\n")
        crawler = get_crawler(PortalSpider, {
            "MONITOR_REGISTRY": str(registry), "MONITOR_DB": str(db), "MONITOR_NOW": iso(fs.NOW),
            "MONITOR_RENDER": "off", "MONITOR_PROGRESS": "0", "MONITOR_NOTIFY_ON_CLOSE": "1",
            "MONITOR_NOTIFY_FILE": str(recipients)})
        crawler.spider = PortalSpider.from_crawler(crawler, portal="henan-zhengzhou")
        session = CrawlSession.of(crawler)
        session.open()
        crawler.stats.set_value("finish_reason", "finished")
        session.close(crawler.spider, "finished")
        (message,) = hook.requests
        assert "郑州市人民政府" in message["json"]["message"] and "开封市人民政府" in message["json"]["message"]
    assert {r["status"] for r in rows(db)} == {"sent"}
