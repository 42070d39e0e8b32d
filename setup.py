"""Packaging beyond pyproject.toml: the egg scrapyd runs, and the data every built package carries.

``scrapyd-deploy`` builds the project with ``python setup.py bdist_egg`` (it writes its own minimal
setup.py only when none exists, which would lose the data files). Metadata and dependencies stay in
pyproject.toml; this file adds two things:

- built packages (egg, wheel) carry a copy of the top-level ``data/`` as ``monitor/_data``, which
  ``monitor/paths.py`` finds at run time (extracting it from a zipped egg); an editable install
  (``pip install -e .``) reads ``data/`` in place and copies nothing;
- the ``scrapy`` entry point ``settings = monitor.settings``, which scrapyd's runner needs to find
  the settings module of a deployed egg.
"""

import fnmatch
import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.egg_info import egg_info

HERE = os.path.dirname(os.path.abspath(__file__))
EXCLUDED = ("monitor.db*", "demo.db*", "demo-out", "*.db", "*.db-wal", "*.db-shm", "__pycache__", ".*")
SCRAPY_ENTRY_POINT = "settings = monitor.settings"


def _ignore(directory, names):
    return [n for n in names if any(fnmatch.fnmatch(n, pat) for pat in EXCLUDED)]


class BuildPyWithData(build_py):
    """Copies ``data/`` into ``monitor/_data`` of the build (not in editable mode)."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False) or self.dry_run:
            return
        target = os.path.join(self.build_lib, "monitor", "_data")
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(os.path.join(HERE, "data"), target, ignore=_ignore)


class EggInfoWithScrapy(egg_info):
    """Adds the ``scrapy`` entry point (pyproject.toml's ``[project]`` table owns the others)."""

    def run(self):
        eps = self.distribution.entry_points or {}
        group = eps.setdefault("scrapy", [])
        if isinstance(group, str):
            group = eps["scrapy"] = [group]
        if SCRAPY_ENTRY_POINT not in group:
            group.append(SCRAPY_ENTRY_POINT)
        self.distribution.entry_points = eps
        super().run()


setup(cmdclass={"build_py": BuildPyWithData, "egg_info": EggInfoWithScrapy}, zip_safe=True)
