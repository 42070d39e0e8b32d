"""The spot-check report (``monitor report``): the State Council office's quarterly notice, generated
from the store for one's own region, as one self-contained HTML file, Markdown or XLSX.

- ``periods``: quarters and spans of days, and the periods before them;
- ``figures`` and ``sections``: every figure, from plain data (no SQL, no rendering);
- ``build``: reads the rows through ``monitor.store.report`` and assembles a ``Report``;
- ``charts`` (pygal SVG), ``render`` (jinja2: HTML, Markdown), ``xlsx`` (openpyxl): the outputs;
- ``sampling``: the review sample (``monitor sample``).
"""

from __future__ import annotations

from pathlib import Path

FORMATS = ("html", "md", "xlsx")


def write_report(report, fmt: str, path: str | Path) -> None:
    """Write ``report`` as ``fmt`` (html, md, xlsx) to ``path``."""
    if fmt == "xlsx":
        from monitor.report import xlsx
        xlsx.write(report, path)
        return
    from monitor.report import render
    text = render.html(report) if fmt == "html" else render.markdown(report)
    Path(path).write_text(text, encoding="utf-8")
