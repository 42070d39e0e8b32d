"""Writing a ``Report`` as an XLSX workbook: one sheet per section, the title row and the header
row frozen, shares as numbers formatted as percentages (unknown stays the text 未知, never 0), every
text cell neutralised against formulas (``monitor.exports.xlsx_value``)."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from monitor.exports import display_width, xlsx_value
from monitor.report.figures import Share
from monitor.report.labels import UNKNOWN, level_name, region_name, rule_label
from monitor.report.render import _value

_HEAD = PatternFill("solid", fgColor="EEF1F5")
_BELOW = PatternFill("solid", fgColor="FDE8E6")


def _cell(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, Share):
        return (UNKNOWN, None) if value.value is None else (value.value, "0.0%")
    if isinstance(value, float) and value != value:  # NaN never reaches a sheet
        return UNKNOWN, None
    return xlsx_value(value), None


def _sheet(book: Workbook, title: str, caption: str, header: list[str], rows: list[list[Any]],
           marks: list[set[int]] | None = None) -> None:
    sheet = book.create_sheet(title)
    sheet.append([xlsx_value(caption)])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append([xlsx_value(h) for h in header])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = _HEAD
    widths = [display_width(h) for h in header]
    for i, row in enumerate(rows):
        values = [_cell(v) for v in row]
        sheet.append([v for v, _ in values])
        for j, (cell, (value, fmt)) in enumerate(zip(sheet[sheet.max_row], values)):
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if fmt:
                cell.number_format = fmt
            if marks and j in marks[i]:
                cell.fill = _BELOW
            widths[j] = max(widths[j], min(display_width("00.0%" if fmt else str(value)), 60))
    for j, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(j)].width = min(max(width, 8), 60) + 2
    sheet.freeze_panes = "B3" if header and header[0] in ("地区", "层级", "指标") else "A3"


def _group_rows(rows) -> list[list[Any]]:
    return [[r.label, r.portals, r.overall.known, r.overall.passed, r.overall.failed, r.overall.unknown,
             r.overall, r.previous, r.change if r.change is not None else UNKNOWN] for r in rows]


def write(report, path: str | Path | IO) -> None:
    book = Workbook()
    book.remove(book.active)
    head = f"{report.title}（{report.period.title}）范围：{report.scope}"
    _sheet(book, "概要", head, ["指标", "本期", "上期", "变化（百分点）", "达标", "有结论", "未知"],
           [[f.label, f.share if f.share is not None else f.count, f.previous if f.previous is not None else "",
             "" if f.share is None else (f.change if f.change is not None else UNKNOWN),
             "" if f.share is None else f.share.passed, "" if f.share is None else f.share.known,
             "" if f.share is None else f.share.unknown] for f in report.headline])
    group_head = ["网站数", "有结论", "合格", "不合格", "未知", "合格率", "上期", "变化（百分点）"]
    _sheet(book, "地区", head, ["地区", *group_head], _group_rows(report.regions))
    _sheet(book, "层级", head, ["层级", *group_head], _group_rows(report.levels))
    _sheet(book, "指标分地区", f"各项指标达标比例，低于{report.line:.0%}的标底色",
           ["地区", *[rule_label(r) for r in report.rules]],
           [[row.label, *[row.rules[r] for r in report.rules]] for row in report.regions],
           marks=[{1 + report.rules.index(r) for r in row.below} for row in report.regions])
    _sheet(book, "趋势", "各期合格率与各项指标", ["期间", "抓取次数", "总体合格率", *[rule_label(r) for r in report.rules]],
           [[p.period.label, p.crawls, p.shares["overall"], *[p.shares[r] for r in report.rules]]
            for p in report.trend])
    _sheet(book, "应付差事", "基准检查时合格、本期末不合格的检查项",
           ["地区", "网站", "网站标识", "层级", "检查项", "基准日期", "开始日期", "持续天数", "当前值", "存证命令"],
           [[region_name(n.portal.region), n.portal.name, n.portal.id, level_name(n.portal.level), n.rule_label,
             n.baseline_on or "首次抓取", n.began_on, n.days, _value(n.value), n.command] for n in report.neglect])
    rect = report.rectification
    _sheet(book, "整改", f"上期（{report.previous.title}）不合格网站：已完成整改或关停迁移 {rect.share.text}",
           ["地区", "网站", "网站标识", "层级", "本期情况", "本期不达标项"],
           [[region_name(r.portal.region), r.portal.name, r.portal.id, level_name(r.portal.level),
             r.outcome_text, "、".join(rule_label(x) for x in r.failing)] for r in rect.rows])
    v = report.reviews
    _sheet(book, "结论比对", f"导入结论 {len(v.rows)} 条：一致 {v.agree}，不一致 {v.disagree}，监测未知 {v.unknown}",
           ["地区", "网站", "网站标识", "抽查日期", "上报/复核结论", "复核人", "说明", "监测结论", "监测日期", "一致",
            "监测不达标项"],
           [[region_name(r.portal.region), r.portal.name, r.portal.id, r.audit.audited_on, r.official_text,
             r.audit.reviewer, r.audit.note, r.monitor_text, r.monitor_on or "",
             {True: "是", False: "否", None: UNKNOWN}[r.agree],
             "、".join(rule_label(x) for x in r.audit.monitor_failed)] for r in v.rows])
    _sheet(book, "不合格网站", f"不合格网站 {len(report.annex)} 个",
           ["地区", "层级", "网站", "网站标识", "不达标项", "结论日期", "当前值", "抽查/复核", "存证文件", "存证命令"],
           [[region_name(a.portal.region), level_name(a.portal.level), a.portal.name, a.portal.id, f.rule_label,
             f.on, _value(f.value), a.audit, a.evidence_file or "", f.command]
            for a in report.annex for f in a.failures])
    _sheet(book, "方法", "监测规则、依据与当前阈值", ["规则", "标识", "单项否决", "依据", "说明", "阈值"],
           [[m.label, m.id, "是" if m.veto else "否", m.indicator, m.description,
             "；".join(f"{k} = {val}" for k, val in m.thresholds)] for m in report.methodology]
           + [[name, "", "", "", "", value] for name, value in report.settings])
    book.save(path)
