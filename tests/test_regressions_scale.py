"""The regression finders read only the checks that ever failed (``verdict_rows(failing_only=True)``):
the same regressions as from the whole history, in every mode, with and without baselines, on a
synthetic store and on the demo's."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from monitor.clock import SHANGHAI
from monitor.judging import verdict_history
from monitor.regressions import find_regressions, find_unrectified
from monitor.rules import RULES
from monitor.store import Store
from monitor.store.states import baselines_in_force
from monitor.store.synthetic import Plan, build

NOW = datetime(2026, 12, 31, 10, tzinfo=SHANGHAI)


def _all_modes(store, baselines, now):
    full, failing = verdict_history(store), verdict_history(store, failing_only=True)
    assert len(failing) < len(full)
    for history in (full, failing):
        yield [
            find_regressions(history, baselines, now),
            find_regressions(history, baselines, now, include_recovered=True),
            find_regressions(history, baselines, now, against="previous", include_recovered=True),
            find_regressions(history, baselines, now, since=now.date() - timedelta(days=10)),
            find_unrectified(history, baselines, now.date() - timedelta(days=15), now=now),
        ]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    path = tmp_path_factory.mktemp("synthetic") / "s.db"
    rules = [r for r in RULES if r != "overall"]
    with Store(path) as store:
        build(store, Plan(portals=400, days=20, end=date(2026, 12, 30), rules=rules,
                          veto=[r for r in rules if RULES[r].veto],
                          content_rules=[r for r in rules if RULES[r].content], audits=60))
    return path


@pytest.mark.parametrize("with_baselines", [True, False])
def test_failing_only_history_finds_the_same_regressions(synthetic, with_baselines):
    with Store(synthetic) as store:
        baselines = baselines_in_force(store) if with_baselines else {}
        full, failing = _all_modes(store, baselines, NOW)
    assert any(full) and full == failing


@pytest.mark.slow
def test_same_regressions_on_the_demo_store(demo_run):
    db, _, _ = demo_run
    with Store(db) as store:
        now = max(datetime.fromisoformat(c["now"]) for c in store.crawls(spider="portal") if c.get("now"))
        full, failing = _all_modes(store, baselines_in_force(store), now)
    assert full[0] and full == failing
