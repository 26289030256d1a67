"""Course authors' quality commands: `lint` (static) and `test-lab` (the lab against a cluster)."""

from __future__ import annotations

import sys

import click

from labcheck.core.results import ExitCode
from labcheck.errors import LabcheckError, SpecError


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


WRITES = ("labcheck test-lab writes to the cluster: in context {context} it creates namespaces "
          "labcheck-test-{lab}-<hex>, runs the lab's solutions and tests.yaml setups in them, and deletes "
          "them (it touches nothing else). Allow it with --allow-writes or LABCHECK_ALLOW_WRITES=1.")


@click.command("test-lab")
@click.argument("path", type=click.Path())
@click.option("--kubeconfig", envvar="LABCHECK_KUBECONFIG", default=None,
              help="Kubeconfig file, as kubectl's (default: KUBECONFIG, or ~/.kube/config).")
@click.option("--context", envvar="LABCHECK_CONTEXT", default=None, help="Kube context (default: current).")
@click.option("-k", "select", multiple=True, help="Only the cases whose name contains this (repeatable).")
@click.option("-o", "--output", type=click.Choice(["text", "junit"]), default="text", show_default=True,
              help="Report format on stdout.")
@click.option("--junit-xml", type=click.Path(dir_okay=False), default=None, help="Also write JUnit XML here.")
@click.option("--allow-writes", envvar="LABCHECK_ALLOW_WRITES", is_flag=True,
              help="Allow test-lab to create and delete its own namespaces in the context.")
def test_lab(path: str, kubeconfig: str | None, context: str | None, select: tuple[str, ...], output: str,
             junit_xml: str | None, allow_writes: bool) -> None:
    """Prove a lab against a cluster: an empty namespace scores 0 %, the reference solution 100 %
    after each step, each mistake of tests.yaml gets its declared outcomes. Exit 0 all cases
    pass, 1 some do not, 2 on a usage, lab or cluster problem."""
    from pathlib import Path

    from labcheck.loader import load_lab
    from labcheck.testlab import CaseResult
    from labcheck.testlab_run import case_line, exit_code, junit_report, prove, text_report

    lab = load_lab(path)  # a bad lab is exit 2 before any question about writes
    if not allow_writes:
        from labcheck.kube.resolve import resolve

        try:
            where = resolve(kubeconfig, context).context
        except LabcheckError:
            where = context or "(current)"
        question = WRITES.format(context=where, lab=lab.id)
        if not (sys.stdin.isatty() and sys.stderr.isatty()):
            raise click.UsageError(question)
        # on a terminal it asks first (the only labcheck command that writes to a cluster)
        if not click.confirm(question.rsplit(" Allow it", 1)[0] + " Go on?", default=False, err=True):
            sys.exit(ExitCode.USAGE_ERROR)

    def progress(case: CaseResult) -> None:  # a line per case as it ends (runs take minutes)
        click.echo(case_line(case), err=output == "junit")

    run = prove(path, kubeconfig, context, select, progress)
    click.echo(junit_report(run) if output == "junit" else text_report(run, with_cases=False), nl=False)
    if junit_xml:
        Path(junit_xml).write_text(junit_report(run), encoding="utf-8")
    sys.exit(exit_code(run))


COMMANDS = [lint, test_lab]
