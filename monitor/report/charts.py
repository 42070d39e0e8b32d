"""The report's charts, drawn by pygal as plain SVG to inline in the HTML (no script, no web font).

pygal always writes a small ``<script>`` holding its tooltip configuration; with ``js=()`` nothing
loads it, so it is dropped from the tree before serialising, and the report's Content-Security-Policy
can forbid scripts altogether. Text is drawn by the reader's own fonts (the font stack names the
usual Chinese system fonts), so Chinese labels show without shipping a font.
"""

from __future__ import annotations

import pygal
from lxml import etree
from pygal.style import Style

from monitor.report.labels import percent, region_short, rule_label

FONTS = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", '
         '"Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif')
COLORS = ("#2f6fb0", "#c0392b", "#27ae60", "#e67e22", "#8e44ad", "#16a085", "#7f8c8d", "#d35400")
STYLE = Style(
    background="transparent", plot_background="transparent", foreground="#222",
    foreground_strong="#111", foreground_subtle="#777", opacity=".9", opacity_hover="1",
    colors=COLORS, font_family=FONTS, label_font_size=13, major_label_font_size=13,
    value_font_size=12, value_label_font_size=12, legend_font_size=13, title_font_size=15,
    tooltip_font_size=12, guide_stroke_color="#ccc", major_guide_stroke_color="#c0392b",
    major_guide_stroke_dasharray="6,3")
_COMMON = dict(style=STYLE, js=(), disable_xml_declaration=True, explicit_size=False,
               pretty_print=False, no_data_text="暂无数据", truncate_label=-1, truncate_legend=-1)


def _svg(chart) -> str:
    tree = chart.render_tree()
    for script in tree.findall(".//{http://www.w3.org/2000/svg}script") + tree.findall(".//script"):
        script.getparent().remove(script)
    return etree.tostring(tree, encoding="unicode")


def region_bars(rows, national: float | None, title: str = "各地区总体合格率") -> str:
    """Qualified share by region, highest first, with the national share as a marked line.
    Regions whose share is unknown are left out (the table beside the chart lists them)."""
    known = sorted((r for r in rows if r.overall.value is not None),
                   key=lambda r: (r.overall.value, r.key))
    labels = [v for v in (0, 20, 40, 60, 80, 100) if national is None or abs(v - national * 100) > 7]
    if national is not None:
        labels.append({"label": f"全国 {percent(national)}", "value": round(national * 100, 2)})
    chart = pygal.HorizontalBar(
        **_COMMON, title=title, show_legend=False, range=(0, 100), y_labels=labels,
        y_labels_major=[round(national * 100, 2)] if national is not None else [],
        print_values=True, value_formatter=lambda v: f"{v:.1f}%", width=800,
        margin_left=12 + 7 * max((len(region_short(r.key)) for r in known), default=0),
        height=max(200, 80 + 24 * len(known)), margin=12, spacing=8)
    chart.x_labels = [region_short(r.key) for r in known]  # pygal draws the first one at the bottom
    chart.add("合格率", [round(r.overall.value * 100, 2) for r in known])
    return _svg(chart)


def trend_lines(points, rules: list[str], title: str = "合格率与各项指标趋势") -> str:
    """The qualified share and each rule's share over the periods of ``points`` (oldest first);
    an unknown share is a gap in its line, never a 0."""
    chart = pygal.Line(
        **_COMMON, title=title, range=(0, 100), y_labels=[0, 20, 40, 60, 80, 100],
        y_labels_major=[-1], value_formatter=lambda v: f"{v:.1f}%", width=800, height=440, margin=12,
        margin_bottom=40,
        legend_at_bottom=True, legend_at_bottom_columns=4, dots_size=4, allow_interruptions=True)
    chart.x_labels = [p.period.short for p in points]
    for key in ["overall", *rules]:
        values = [None if p.shares[key].value is None else round(p.shares[key].value * 100, 2)
                  for p in points]
        chart.add(rule_label(key), values)
    return _svg(chart)
