"""The ``monitor`` command-line tool. Each subcommand lives in its own module of this package and
is registered in ``COMMANDS`` below; a command's docstring is its ``--help`` text, with an example."""

from __future__ import annotations

import importlib
import sys

import click

#: "module:attribute" of every subcommand, in the order ``monitor --help`` lists them
COMMANDS = [
    "sandbox:sandbox",
    "demo:demo",
    "status:crawls",
    "status:summary",
    "audit:baseline",
    "audit:regressions",
    "audit:evidence",
    "audit:audits",
    "report:report",
    "sample:sample",
    "notify:notify",
    "serve:serve",
    "inspect:inspect",
    "releases:releases",
    "reposts:reposts",
    "match:match",
    "scale:schedule",
    "scale:merge",
    "registry:registry",
    "sweep:sweep",
]


class UserError(click.ClickException):
    """A one-line error for bad input (file, line or URL named); exit status 2."""

    exit_code = 2

    def show(self, file=None) -> None:  # one line, no "Usage:" block, no traceback
        click.echo(f"monitor: error: {self.format_message()}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="portal-monitor")
def cli() -> None:
    """Watch government portals between official spot checks.

    \b
    Example:
      monitor demo
    """


for _spec in COMMANDS:
    _module, _attr = _spec.split(":")
    cli.add_command(getattr(importlib.import_module(f"monitor.cli.{_module}"), _attr))


def main() -> None:
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
