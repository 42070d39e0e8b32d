"""The store's SQL for people: Datasette's canned queries (``monitor serve``) and the stored page
behind a finding (the evidence view).

The canned queries answer what users ask first without writing SQL: the latest verdict per portal,
the regressions against the audit baseline, the qualified share per region, one portal's history,
the reposts per State Council release, and the notifications not delivered yet. Each row that has a
stored homepage carries its fetch id as ``evidence_page``, which the Datasette plugin renders as a
link to the evidence view.

The regressions query is ``monitor regressions`` in SQL (``monitor.regressions``): the rule passed
at the portal's baseline crawl (its first crawl when it has none), or was unknown there with nothing
failed (``none_failed``: a few probe visits, all fine; one crawl day for forged_dates), and its newest
N known verdicts fail, N per rule from ``MONITOR_REGRESSION_CONSECUTIVE_*``; unknown verdicts are
skipped; closed portals and the ``overall`` rule are left out; recovered failures are not listed.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence

from monitor.store.compact import VERDICT_AT, homepage_fetch_sql

#: each portal's newest finished portal crawl (k = 1), looked up portal by portal through the index
#: on portal_crawls(portal_id): a national store's million portal records are never sorted whole
_LATEST = """latest as materialized (
  select * from (
    select p.id as portal_id, 1 as k,
      (select pc.crawl_id from portal_crawls pc join crawls c on c.id = pc.crawl_id
       where pc.portal_id = p.id and c.status = 'finished' and c.spider = 'portal'
       order by c.finished desc, coalesce(c.now, c.started) desc, c.id desc limit 1) as crawl_id
    from portals p)
  where crawl_id is not null
)"""

def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def latest_verdicts_sql(rules: Sequence[str]) -> str:
    pivot = ",\n  ".join(f"max(case when r.name = {_quote(r)} then v.level end) as {r}"
                         for r in rules if r.isidentifier())
    # the compact table, not the verdicts view: SQLite cannot flatten a view that is a join on the
    # right of a LEFT JOIN, and would read every verdict of the store first
    return f"""with {_LATEST}
select p.region, p.id as portal_id, p.name, max({VERDICT_AT}) as judged_at,
  max(case when r.name = 'overall' then json_extract(v.value, '$') end) as overall_verdict,
  {pivot},
  {homepage_fetch_sql('l.crawl_id', 'l.portal_id')} as evidence_page
from latest l join portals p on p.id = l.portal_id
left join verdict_rows v on v.crawl_n = (select n from names where name = l.crawl_id)
  and v.portal_n = (select n from names where name = l.portal_id)
left join names r on r.n = v.rule_n
where l.k = 1 and (:region = '' or p.region = :region)
group by p.id
order by p.region, p.id"""


def regressions_sql(consecutive: Mapping[str, int]) -> str:
    need = ", ".join(f"({_quote(rule)}, {max(1, int(n))})" for rule, n in consecutive.items() if rule != "overall")
    return f"""with known as (
  select v.portal_id, v.rule, v.crawl_id, v.at, v.passed, v.value, v.evidence,
         row_number() over (partition by v.portal_id, v.rule order by v.at desc, v.crawl_id desc) as k
  from verdicts v join crawls c on c.id = v.crawl_id
  where c.status = 'finished' and c.spider = 'portal' and v.passed is not null and v.rule != 'overall'
),
need(rule, n) as (values {need}),
ref as (
  select p.id as portal_id, p.region, p.name,
    coalesce(
      (select b.crawl_id from baselines b where b.portal_id = p.id order by b.marked_at desc, b.rowid desc limit 1),
      (select v.crawl_id from verdicts v join crawls c on c.id = v.crawl_id
       where v.portal_id = p.id and c.status = 'finished' and c.spider = 'portal' order by v.at, v.crawl_id limit 1)
    ) as crawl_id,
    case when exists (select 1 from baselines b where b.portal_id = p.id) then 'baseline' else 'first_crawl' end
      as baseline_kind
  from portals p where p.status != 'closed'
)
select ref.region, cur.portal_id, ref.name, cur.rule as "check",
  {homepage_fetch_sql('cur.crawl_id', 'cur.portal_id')} as evidence_page,
  (select min(f.at) from known f where f.portal_id = cur.portal_id and f.rule = cur.rule and f.passed = 0
     and f.at > coalesce((select max(o.at) from known o where o.portal_id = cur.portal_id
                          and o.rule = cur.rule and o.passed = 1), '')) as first_failed_at,
  json_extract(bv.value, '$') as baseline_value, json_extract(cur.value, '$') as current_value,
  bv.at as baseline_at, cur.at as current_at, ref.baseline_kind,
  substr(cur.evidence, 1, 300) as evidence
from known cur
join need on need.rule = cur.rule
join ref on ref.portal_id = cur.portal_id
join verdicts bv on bv.crawl_id = ref.crawl_id and bv.portal_id = cur.portal_id and bv.rule = cur.rule
  and (bv.passed = 1 or (bv.passed is null and json_extract(bv.evidence, '$.none_failed')))
where cur.k = 1 and cur.passed = 0
  and (select count(*) from known r where r.portal_id = cur.portal_id and r.rule = cur.rule
       and r.k <= need.n and r.passed = 0) >= need.n
  and (:region = '' or ref.region = :region)
order by ref.region, cur.portal_id, cur.rule"""


QUALIFIED_SHARE = f"""with {_LATEST}
select p.region, count(*) as portals,
  sum(v.passed = 1) as qualified,
  sum(v.passed = 0) as not_qualified,
  sum(v.passed is null) as unknown,
  round(100.0 * sum(v.passed = 1) / nullif(sum(v.passed is not null), 0), 1) as qualified_pct
from latest l join portals p on p.id = l.portal_id and p.status != 'closed'
join verdicts v on v.crawl_id = l.crawl_id and v.portal_id = l.portal_id and v.rule = 'overall'
where l.k = 1
group by p.region
order by p.region"""

PORTAL_HISTORY = f"""select v.at, v.rule, v.level, json_extract(v.value, '$') as value,
  case when exists (select 1 from baselines b where b.portal_id = v.portal_id and b.crawl_id = v.crawl_id)
    then 'baseline' else '' end as baseline,
  {homepage_fetch_sql('v.crawl_id', 'v.portal_id')} as evidence_page,
  v.crawl_id, substr(v.evidence, 1, 300) as evidence
from portal_crawls pc join crawls c on c.id = pc.crawl_id
join verdicts v on v.crawl_id = pc.crawl_id and v.portal_id = pc.portal_id
where pc.portal_id = :portal and c.status = 'finished' and c.spider = 'portal'
order by v.at desc, v.rule"""

REPOSTS_PER_RELEASE = """select rel.published, rel.title, rel.url, rel.category,
  count(r.entry_id) as reposts, count(distinct r.portal_id) as portals,
  coalesce(sum(r.within_24h), 0) as within_24h, round(avg(r.lag_hours), 1) as avg_lag_hours
from releases rel left join reposts r on r.release_id = rel.id
where (:since = '' or rel.published >= :since)
group by rel.id
order by rel.published desc"""

UNDELIVERED = """select status, recipient_url, region, portal_id, rule, kind, first_failed_at, event_at,
  attempts, last_attempt_at, error
from notifications where status != 'sent'
order by event_at, recipient_url"""


def canned_queries(rules: Sequence[str], consecutive: Mapping[str, int]) -> dict[str, dict]:
    """Datasette ``queries`` metadata: name -> {sql, title, description, hide_sql}."""
    queries = {
        "latest_verdicts": {
            "title": "各网站最新判定 / Latest verdict per portal",
            "description": "每个网站最近一次完成的抓取的各项判定；region 为空时列出全部。 / Each portal's "
                           "verdicts at its newest finished crawl; leave region empty for all.",
            "sql": latest_verdicts_sql(rules)},
        "regressions": {
            "title": "对照抽查基线的退步 / Regressions against the audit baseline",
            "description": "基线时合格、最近连续 N 次抓取不合格的指标（与 monitor regressions 相同）。 / Checks that "
                           "passed at the baseline and fail in the newest N crawls (as monitor regressions).",
            "sql": regressions_sql(consecutive)},
        "qualified_share": {
            "title": "各地区合格率 / Qualified share per region",
            "description": "各网站最新抓取的总体判定（单项否决）按地区统计。 / The overall verdict (single-veto "
                           "rules) of each portal's newest crawl, per region.",
            "sql": QUALIFIED_SHARE},
        "portal_history": {
            "title": "网站判定历史 / A portal's history",
            "description": "一个网站历次抓取的判定，最新在前；portal 填网站编号。 / Every verdict of one portal, "
                           "newest first; portal is its id (e.g. henan-zhengzhou).",
            "sql": PORTAL_HISTORY},
        "reposts_per_release": {
            "title": "国务院文件转载情况 / Reposts per State Council release",
            "description": "每篇国务院文件被多少网站转载、24 小时内转载的数量；since 为日期（可空）。 / How many "
                           "portals reposted each release, and how many within 24 hours; since is a date "
                           "(optional).",
            "sql": REPOSTS_PER_RELEASE},
        "undelivered_notifications": {
            "title": "未送达的通知 / Notifications not delivered yet",
            "description": "待发送或发送失败（下次运行 monitor notify 时重试）。 / Pending or failed "
                           "(retried at the next monitor notify).",
            "sql": UNDELIVERED},
    }
    for query in queries.values():
        query["hide_sql"] = True  # people want the answer; "show" reveals the SQL
    return queries


def stored_page(conn, fetch_id: str) -> tuple[dict, bytes | None] | None:
    """A fetch and its stored body (decompressed) for the evidence view, over a plain sqlite3
    connection (Datasette's ``execute_fn``); None when there is no such fetch."""
    cur = conn.execute(
        "select f.id, f.crawl_id, f.portal_id, f.url, f.final_url, f.kind, f.status, f.error, f.fetched_at, "
        "f.charset, f.rendered, f.body_hash, p.name as portal_name, c.now as crawl_clock, b.data as data "
        "from fetch_rows f left join portals p on p.id = f.portal_id left join crawls c on c.id = f.crawl_id "
        "left join bodies b on b.hash = f.body_hash where f.id = ?", [fetch_id])
    row = cur.fetchone()
    if row is None:
        return None
    fetch = dict(zip([d[0] for d in cur.description], row))
    data = fetch.pop("data")
    return fetch, (zlib.decompress(data) if data is not None else None)


def checkpoint(store) -> None:
    """Move the write-ahead log into the database file, so a reader that opens the file immutable
    (``monitor serve``) sees every committed row."""
    store.db.execute("pragma wal_checkpoint(TRUNCATE)")
