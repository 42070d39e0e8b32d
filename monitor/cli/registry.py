"""``monitor registry``: validate the registry, import the national database's export, export the
registry in that layout, and check every row against the live homepage."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import click

from monitor.cli import UserError
from monitor.cli.common import monitor_settings


def registry_path(value: str | None) -> str:
    """``--registry``, else ``MONITOR_REGISTRY``, else the shipped registry."""
    return value or monitor_settings().registry


def allow_hosts() -> str:
    return ",".join(monitor_settings().allow_hosts)


def load(path: str):
    """The registry, or every problem on stderr (one ``FILE:LINE: message`` each) and exit 2."""
    from monitor.registry import RegistryError, load_registry
    try:
        return load_registry(path, allow_hosts())
    except RegistryError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        raise UserError(f"{path}: {len(exc.problems)} problem(s); nothing done") from None


def write_atomic(path: str, text: str | None = None, data: bytes | None = None, writer=None) -> None:
    """Write FILE through a temporary file in the same directory and a rename: a reader never sees
    half a registry, and a failed write leaves the old file as it was."""
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.resolve().parent)
    except OSError as exc:
        raise UserError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            if writer is not None:
                writer(fh)
            else:
                fh.write(data if data is not None else (text or "").encode("utf-8"))
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UserError(f"{path}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@click.group("registry")
def registry() -> None:
    """The registry of portals: validate, import the national database's export, export, check live.

    \b
    Examples:
      monitor registry validate
      monitor registry import 全国政府网站.xlsx -o portals.csv
      monitor registry check --region henan
    """


@registry.command("validate")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
def validate(file) -> None:
    """Load and validate a registry (default: MONITOR_REGISTRY, else the shipped one); print what it
    holds per level and region and how long loading took, or every problem as FILE:LINE.

    \b
    Example:
      monitor registry validate data/portals.csv
    """
    path = registry_path(file)
    t0 = time.perf_counter()
    reg = load(path)
    seconds = time.perf_counter() - t0
    levels = Counter(p.level for p in reg.portals)
    statuses = Counter(p.status for p in reg.portals)
    with_parent = sum(1 for p in reg.portals if p.parent)
    click.echo(f"{path}: {len(reg.portals)} portals in {len(reg.regions)} regions, loaded and validated "
               f"in {seconds:.3f} s")
    click.echo("levels: " + ", ".join(f"{lv} {levels[lv]}" for lv in reg.levels))
    click.echo("status: " + ", ".join(f"{s} {n}" for s, n in sorted(statuses.items())))
    click.echo(f"with a parent: {with_parent}; with a site code: {sum(1 for p in reg.portals if p.site_code)}")


@registry.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Registry CSV to write (default: print it on stdout).")
@click.option("--sheet", help="XLSX sheet to read (default: the first with a header row).")
@click.option("--skip-bad", is_flag=True, help="Write the good rows even when some are bad (each bad row is "
                                                "still reported).")
@click.option("--keep-ids", "keep_ids", type=click.Path(dir_okay=False), metavar="CSV",
              help="An existing registry: sites it knows (same site code, else same homepage) keep its ids.")
def import_(file, output, sheet, skip_bad, keep_ids) -> None:
    """Read the national government-website database's export (XLSX or CSV, GBK or UTF-8) into
    the registry format.

    Columns: 网站名称, 网站标识码, 首页网址, 主办单位, 网站类型 (政府门户网站/部门网站), 运行状态
    (and common variants of these names; a title row above the header is fine). Region and level
    come from the site code's division prefix (XX0000 province, XXYY00 city, else county; bm =
    bumen) and the site type (部门网站 = department); parent is the government portal of the
    enclosing division found in the same file. Every bad row and duplicate is reported as
    FILE:LINE (CSV) or FILE:SHEET!ROW (XLSX); nothing is written unless the whole file is valid,
    or --skip-bad is given.

    \b
    Examples:
      monitor registry import 河南省政府网站.xlsx -o data/henan.csv
      monitor registry import export.csv --skip-bad --keep-ids data/portals.csv > portals.csv
    """
    from monitor.registry_io import UnreadableFile, import_official, registry_csv
    keep = load(keep_ids) if keep_ids else None
    try:
        result = import_official(file, sheet=sheet, allow_hosts=allow_hosts(), keep_ids=keep)
    except UnreadableFile as exc:
        raise UserError(str(exc)) from None
    for problem in result.problems:
        click.echo(problem, err=True)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if result.problems and not skip_bad:
        raise UserError(f"{file}: {len(result.problems)} problem(s) in {result.skipped} row(s); nothing written "
                        f"(fix them, or --skip-bad to write the {len(result.rows)} good row(s))")
    if not result.rows:
        raise UserError(f"{file}: no importable row; nothing written")
    text = registry_csv(result.rows)
    if output:
        write_atomic(output, text)
    else:
        click.echo(text, nl=False)
    levels = Counter(r["level"] for r in result.rows)
    summary = (f"imported {len(result.rows)} portal(s) from {file}"
               + (f" into {output}" if output else "")
               + f" ({', '.join(f'{lv} {n}' for lv, n in sorted(levels.items()))})"
               + (f"; skipped {result.skipped} bad row(s)" if result.skipped else "")
               + (f"; {result.kept_ids} id(s) kept from {keep_ids}" if keep_ids else ""))
    click.echo(summary, err=True)


@registry.command("export")
@click.option("--registry", "registry_file", type=click.Path(dir_okay=False),
              help="Registry to export (default: MONITOR_REGISTRY, else the shipped one).")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="FILE.csv (UTF-8 with a BOM) or FILE.xlsx (default: CSV on stdout).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), help="Default: from -o's extension.")
def export(registry_file, output, fmt) -> None:
    """Write the registry in the national database's layout (网站名称, 网站标识码, 首页网址, 主办单位,
    网站类型, 运行状态, 迁移后网址), followed by the registry's own id, region, level, parent and
    render, so the file imports back unchanged.

    \b
    Examples:
      monitor registry export -o 网站清单.xlsx
      monitor registry export --registry data/portals.csv > portals-official.csv
    """
    from monitor.registry_io import write_official
    reg = load(registry_path(registry_file))
    fmt = fmt or ("xlsx" if output and output.lower().endswith(".xlsx") else "csv")
    if fmt == "xlsx" and not output:
        raise UserError("--format xlsx needs -o FILE.xlsx")
    if output:
        if fmt == "xlsx":
            write_atomic(output, writer=lambda fh: write_official(reg, fh, "xlsx"))
        else:
            import io
            buf = io.StringIO()
            write_official(reg, buf, "csv")
            write_atomic(output, data=("\ufeff" + buf.getvalue()).encode("utf-8"))
        click.echo(f"wrote {len(reg.portals)} portal(s) to {output}", err=True)
    else:
        write_official(reg, sys.stdout, "csv")


@registry.command("check")
@click.option("--registry", "registry_file", type=click.Path(dir_okay=False),
              help="Registry to check (default: MONITOR_REGISTRY, else the shipped one).")
@click.option("--region", help="Only these regions (comma list; every level).")
@click.option("--portal", help="Only these portals (comma list of ids).")
@click.option("--level", help="Only these levels (comma list: province, city, county, township, department).")
@click.option("--parent", help="Only these portals and everything below them (comma list of ids).")
@click.option("--apply", "apply_", is_flag=True,
              help="Write the confident suggestions into the registry (through a temporary file and a rename); "
                   "the others are listed.")
@click.option("--timeout", type=float, default=15.0, show_default=True,
              help="Seconds a homepage may take (the official rule's 15 s).")
@click.option("--setting", "settings", multiple=True, metavar="NAME=VALUE", help="Extra Scrapy setting (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
def check(registry_file, region, portal, level, parent, apply_, timeout, settings, fmt) -> None:
    """A quick live pass over the registry: each row's homepage, once, through the project's Scrapy
    settings (User-Agent, http_proxy, timeout).

    For each row: reachable, final URL, an off-host redirect (a likely migration, with a suggested
    migrated_to), the site code on the page against the registry's, and the page's name against
    the registry's. Suggestions are confident (--apply writes them) or left for review: a migration
    is confident when the move is permanent or the new home shows the same site code; a rename
    when the SiteName meta changed on the same host with the same site code; a missing site code
    when the footer and the meta or error-report entry agree. Closed rows are skipped; migrated
    rows are checked at migrated_to.

    \b
    Examples:
      monitor registry check --region henan
      monitor registry check --parent henan-zhengzhou --apply
    """
    from monitor.cli.common import emit
    from monitor.registry import SelectionError, host_suffixes
    from monitor.registry_check import CHECK_COLUMNS, assess
    path = registry_path(registry_file)
    reg = load(path)
    try:
        chosen = reg.select(region, portal, level, parent)
    except SelectionError as exc:
        raise UserError(str(exc)) from None
    pairs = []
    for value in settings:
        key, sep, val = value.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--setting {value!r}: expected NAME=VALUE")
        pairs.append((key.strip(), val))
    items = _run_check_spider(path, {"region": region, "portal": portal, "level": level, "parent": parent},
                              timeout, pairs)
    suffixes = host_suffixes(allow_hosts())
    from monitor.registry import canonical_host
    hosts = {canonical_host(p.url): p.id for p in reg.portals if p.status != "migrated"}
    results = [assess(p, items.get(p.id) or {"error": "not_fetched", "checked": p.url}, suffixes, hosts)
               for p in chosen]
    rows = [r.as_row() for r in results]
    emit(rows, CHECK_COLUMNS, fmt, None)
    changes = [c for r in results for c in r.changes]
    confident = [c for c in changes if c.confident]
    review = [c for c in changes if not c.confident]
    notes = [f"{r.portal}: {n}" for r in results for n in r.notes]
    out = sys.stdout if fmt == "table" else sys.stderr
    counts = Counter(r.action for r in results)
    print(f"checked {len(results)} row(s): " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
          file=out)
    if apply_ and confident:
        applied = _apply(path, confident)
        print(f"applied to {path}:", file=out)
        for change in applied:
            print("  " + change.as_text(), file=out)
    elif confident:
        print("confident (--apply writes them):", file=out)
        for change in confident:
            print("  " + change.as_text(), file=out)
    if review:
        print("to review (not applied):", file=out)
        for change in review:
            print("  " + change.as_text(), file=out)
    if notes:
        print("notes:", file=out)
        for note in notes:
            print("  " + note, file=out)


def _run_check_spider(registry_file: str, selection: dict, timeout: float, settings: list) -> dict[str, dict]:
    """``scrapy crawl registrycheck`` in a subprocess (a Twisted reactor runs once per process);
    its items by portal id."""
    import json
    import subprocess

    from monitor.paths import PROJECT_DIR
    with tempfile.TemporaryDirectory(prefix="registry-check-") as tmp:
        feed = Path(tmp) / "check.jsonl"
        cmd = [sys.executable, "-m", "scrapy", "crawl", "registrycheck", "-O", f"{feed}:jsonlines",
               "-s", f"DOWNLOAD_TIMEOUT={timeout:g}", "-s", "LOG_LEVEL=WARNING"]
        for key, value in selection.items():
            if value:
                cmd += ["-a", f"{key}={value}"]
        for key, value in settings:
            cmd += ["-s", f"{key}={value}"]
        env = dict(os.environ, SCRAPY_SETTINGS_MODULE="monitor.settings",
                   MONITOR_REGISTRY=str(Path(registry_file).resolve()))
        cwd = PROJECT_DIR if (PROJECT_DIR / "scrapy.cfg").exists() else Path(tmp)
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
        if proc.returncode != 0 or not feed.exists():
            last = [ln for ln in proc.stderr.splitlines() if ln.strip()][-1:] or ["no output"]
            raise UserError(f"the check crawl failed (exit {proc.returncode}): {last[0]}")
        items: dict[str, dict] = {}
        for line in feed.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                items[item["portal_id"]] = item
        return items


def _apply(path: str, changes) -> list:
    """The confident changes written into the registry file, every other byte kept."""
    from monitor.registry import RegistryError, host_suffixes
    from monitor.registry_check import apply_and_validate
    raw = Path(path).read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    try:
        new_text, applied = apply_and_validate(text, changes, path, host_suffixes(allow_hosts()))
    except RegistryError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        raise UserError(f"{path}: the changes would make the registry invalid; nothing written") from None
    write_atomic(path, data=(b"\xef\xbb\xbf" if bom else b"") + new_text.encode("utf-8"))
    return applied
