"""Names people read in the report: regions, levels, rules, verdicts, and how figures are written.

Rules are labelled generally: a short name for the rules this module knows, else the part of the
rule's ``indicator`` after its source (``国办秘函〔2019〕19号 单项否决: 站点无法访问 (…)`` gives
``站点无法访问``), else its id, so a rule added later shows without touching the report.
"""

from __future__ import annotations

import re

from monitor.rules import RULES

UNKNOWN = "未知"
PASS_TEXT, FAIL_TEXT = "合格", "不合格"

#: the registry's region slugs (provinces' pinyin), as the notice names them
REGION_NAMES = {
    "beijing": "北京", "tianjin": "天津", "hebei": "河北", "shanxi": "山西", "neimenggu": "内蒙古",
    "liaoning": "辽宁", "jilin": "吉林", "heilongjiang": "黑龙江", "shanghai": "上海", "jiangsu": "江苏",
    "zhejiang": "浙江", "anhui": "安徽", "fujian": "福建", "jiangxi": "江西", "shandong": "山东",
    "henan": "河南", "hubei": "湖北", "hunan": "湖南", "guangdong": "广东", "guangxi": "广西",
    "hainan": "海南", "chongqing": "重庆", "sichuan": "四川", "guizhou": "贵州", "yunnan": "云南",
    "xizang": "西藏", "shaanxi": "陕西", "gansu": "甘肃", "qinghai": "青海", "ningxia": "宁夏",
    "xinjiang": "新疆", "bingtuan": "新疆生产建设兵团", "bumen": "国务院部门",
}
_REGION_ORDER = {slug: i for i, slug in enumerate(REGION_NAMES)}
#: shorter names where a chart has no room for the full one
REGION_SHORT = {"bingtuan": "兵团", "bumen": "部门"}
LEVEL_NAMES = {"province": "省级", "city": "市级", "county": "县级", "township": "乡镇",
               "department": "国务院部门"}
LEVEL_ORDER = tuple(LEVEL_NAMES)
#: short column headings for the rules the report knows; others are named from their indicator
RULE_SHORT = {
    "overall": "总体合格", "reachable": "站点可访问", "homepage_fresh": "首页更新",
    "columns_fresh": "栏目更新", "policy_column": "国务院政策专栏", "error_link": "“找错”入口",
    "reposts_24h": "24小时内转载", "interaction": "留言办结",
}
_INDICATOR_NAME = re.compile(r"[:：]\s*([^(（:：]+)")


def region_name(slug: str) -> str:
    return REGION_NAMES.get(slug, slug)


def region_order(slug: str) -> tuple[int, str]:
    """Sort key: regions in the notice's order (北京, 天津, 河北 …, 兵团, 国务院部门), others after."""
    order = _REGION_ORDER.get(slug)
    return (len(_REGION_ORDER), slug) if order is None else (order, slug)


def region_short(slug: str) -> str:
    return REGION_SHORT.get(slug) or region_name(slug)


def level_name(level: str) -> str:
    return LEVEL_NAMES.get(level, level or UNKNOWN)


def rule_label(rule_id: str) -> str:
    if rule_id in RULE_SHORT:
        return RULE_SHORT[rule_id]
    cls = RULES.get(rule_id)
    match = _INDICATOR_NAME.search(getattr(cls, "indicator", "") or "")
    return match.group(1).strip() if match else rule_id


def verdict_text(passed: bool | None) -> str:
    return UNKNOWN if passed is None else (PASS_TEXT if passed else FAIL_TEXT)


def percent(value: float | None) -> str:
    """``91.0%``, or 未知 when there is nothing to divide by (never 0)."""
    return UNKNOWN if value is None else f"{value * 100:.1f}%"


def points(change: float | None) -> str:
    """A change in percentage points: ``+14.0``, ``−3.2``, ``0.0``; 未知 when either side is."""
    if change is None:
        return UNKNOWN
    text = f"{abs(change):.1f}"
    if text == "0.0":
        return "0.0"
    return ("+" if change > 0 else "−") + text
