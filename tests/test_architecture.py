"""The dependency rules of the layout, checked by walking every module's imports (ast, no import).

- ``monitor/extract/`` and ``monitor/match/`` are pure: no store, rules, regressions, judging, CLI,
  spiders, pipelines, Scrapy or SQLite;
- ``monitor/store/`` imports no rules, regressions, judging, reposts job or CLI;
- spiders import no pipelines and pipelines no spiders;
- no import cycles among the project's modules (function-level imports included);
- only ``monitor/store/`` runs SQL or opens SQLite;
- one time module (``monitor/clock.py``) owns ``SHANGHAI``, ``iso`` and ``parse_now``;
- only ``monitor/config.py`` reads ``MONITOR_*`` environment variables.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("monitor", "spiders", "pipelines")
SQL_RE = re.compile(r"^\s*(select\s.+\sfrom\s|insert\s+(or\s+\w+\s+)?into\s|update\s+\S+\s+set\s|delete\s+from\s"
                    r"|create\s+(table|index|view)|drop\s+(table|index)|alter\s+table|pragma\s|attach\s)",
                    re.I | re.S)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, tuple[Path, ast.Module]]:
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            out[_module_name(path)] = (path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return out


MODULES = _modules()


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    """ids of the nodes inside ``if TYPE_CHECKING:`` blocks (imports for annotations only)."""
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for inner in node.body:
                skip.update(id(n) for n in ast.walk(inner))
    return skip


def imports(name: str) -> set[str]:
    """Every module ``name`` imports, resolved (relative imports, ``from pkg import submodule``)."""
    path, tree = MODULES[name]
    is_package = path.name == "__init__.py"
    skip = _type_checking_nodes(tree)
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            for alias in node.names:
                if f"{module}.{alias.name}" in MODULES:
                    found.add(f"{module}.{alias.name}")
    return found


def _under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


LAYER_RULES = [
    (("monitor.extract", "monitor.match"),
     ("monitor.store", "monitor.rules", "monitor.regressions", "monitor.judging", "monitor.cli",
      "monitor.reposts", "spiders", "pipelines", "scrapy", "sqlite3", "sqlite_utils")),
    (("monitor.store",), ("monitor.rules", "monitor.regressions", "monitor.judging", "monitor.reposts",
                          "monitor.cli", "spiders", "pipelines")),
    (("spiders",), ("pipelines",)),
    (("pipelines",), ("spiders",)),
    # the report reads the store through monitor.store.report only in build; its figures are pure
    (("monitor.report",), ("spiders", "pipelines", "scrapy", "sqlite3", "sqlite_utils", "monitor.cli")),
    (("monitor.report.figures", "monitor.report.sections", "monitor.report.labels", "monitor.report.periods",
      "monitor.report.sampling"), ("monitor.store", "monitor.judging", "monitor.report.build")),
]


@pytest.mark.parametrize(("layer", "forbidden"), LAYER_RULES, ids=lambda v: ",".join(v))
def test_layers_import_only_what_they_may(layer, forbidden):
    bad = sorted(f"{name} imports {target}" for name in MODULES if _under(name, layer)
                 for target in imports(name) if _under(target, forbidden))
    assert not bad, "\n".join(bad)


def test_no_import_cycles():
    graph = {name: {t for t in imports(name) if t in MODULES and t != name} for name in MODULES}
    # importing a.b runs a/__init__ first: that edge is Python's, not a design choice
    graph = {name: {t for t in targets if not name.startswith(t + ".")} for name, targets in graph.items()}
    cycles, state, stack = [], {}, []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def test_only_the_store_runs_sql():
    bad = []
    for name, (path, tree) in MODULES.items():
        if _under(name, ("monitor.store",)):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                if any(_under(m, ("sqlite3", "sqlite_utils")) for m in mods):
                    bad.append(f"{path.name}:{node.lineno} imports SQLite")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in ("query", "execute", "executemany", "executescript"):
                    bad.append(f"{path.name}:{node.lineno} calls .{node.func.attr}()")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_RE.match(node.value):
                bad.append(f"{path.name}:{node.lineno} holds SQL {node.value[:40]!r}")
    assert not bad, "\n".join(bad)


def test_one_time_module():
    bad = []
    for name, (path, tree) in MODULES.items():
        if name == "monitor.clock":
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in ("iso", "parse_now"):
                bad.append(f"{name} defines {node.name}()")
            elif isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "SHANGHAI" for t in node.targets):
                bad.append(f"{name} defines SHANGHAI")
            elif isinstance(node, ast.Constant) and node.value == "Asia/Shanghai":
                bad.append(f"{name}:{node.lineno} names the zone itself")
    assert not bad, "\n".join(bad)


def _reads_monitor_env(node) -> bool:
    """``os.environ.get("MONITOR_…")``, ``os.getenv("MONITOR_…")``, ``os.environ["MONITOR_…"]``."""
    def is_monitor_name(arg):
        return isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value.startswith("MONITOR_")

    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
        target = ast.unparse(node.func)
        if target in ("os.environ.get", "os.getenv", "environ.get") and is_monitor_name(node.args[0]):
            return True
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
        return ast.unparse(node.value) in ("os.environ", "environ") and is_monitor_name(node.slice)
    return False


def test_only_config_reads_monitor_environment():
    # monitor.paths finds the data directory (MONITOR_DATA_DIR) that config's defaults point into
    allowed = {"monitor.config", "monitor.paths"}
    bad = [f"{name}:{node.lineno} reads {ast.unparse(node)}" for name, (path, tree) in MODULES.items()
           if name not in allowed for node in ast.walk(tree) if _reads_monitor_env(node)]
    assert not bad, "\n".join(bad)
