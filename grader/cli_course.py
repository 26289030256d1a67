"""Course authors' quality commands: `lint` (static) and `test-lab` (the lab against a cluster)."""

from __future__ import annotations

import sys

import click

from labcheck.core.results import ExitCode
from labcheck.errors import SpecError


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def lint(paths: tuple[str, ...]) -> None:
    """Review lab folders without a cluster: untranslated text, checks without hints, points that do
    not add up, dependencies that can never pass, missing solutions, tests.yaml ids that do not exist.
    Exit 1 on findings, 2 if a lab does not load (`labcheck validate` says why)."""
    from labcheck.lint import lint_lab

    broken: list[str] = []
    found = 0
    for path in paths:
        try:
            problems = lint_lab(path)
        except SpecError as exc:
            broken.extend(exc.lines)
            continue
        for problem in problems:
            click.echo(str(problem))
        found += len(problems)
        if not problems:
            click.echo(f"{path}: no problems found")
    if broken:
        raise SpecError(broken)
    if found:
        click.echo(f"{found} problem{'s' * (found != 1)} found", err=True)
        sys.exit(ExitCode.CHECKS_FAILED)


COMMANDS = [lint]
