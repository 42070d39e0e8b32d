"""Screenshot of a report for the README: the top of the page (title, headline figures, the chart
by region and the first tables) as a reader on a laptop sees it, through Debian's chromium.

    .venv/bin/monitor demo      # writes data/demo-out/report.html
    .venv/bin/python scripts/report_screenshot.py data/demo-out/report.html docs/report.png

Chinese text needs a CJK font on the machine taking the picture (apt-get install fonts-wqy-microhei
or fonts-noto-cjk); the report itself ships none and names the usual system fonts.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]


def main(src: str, out: str, width: int = 1100, height: int = 1750) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(Path(src).resolve().as_uri())
        page.screenshot(path=out)
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:3])
