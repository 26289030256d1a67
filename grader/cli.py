"""The `labcheck` command line. `labcheck step-04` is short for `labcheck check step-04`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from grader import __version__
from grader.errors import LabcheckError, SpecError
from grader.i18n import LANGS, Lang, default_lang
from grader.results import ExitCode

DEFAULT_LAB = "pods"


class StepShortcutGroup(click.Group):
    """Treats an unknown command name as a step id for `check`."""

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            return "check", self.commands["check"], args
        return super().resolve_command(ctx, args)


def lab_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--lab", envvar="LABCHECK_LAB", default=DEFAULT_LAB, show_default=True,
                        help="Lab folder (with lab.yaml) or built-in lab name.")(f)


def lang_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--lang", envvar="LABCHECK_LANG", type=click.Choice(LANGS), default=None,
                        help="Report language (default: from the locale).")(f)


@click.group(cls=StepShortcutGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="labcheck")
def main() -> None:
    """Grade Kubernetes lab steps against your cluster (the current kube context).

    \b
    Examples:
      labcheck step-02              grade step 2 of the Pods lab
      labcheck check --all -o junit grade every step, JUnit XML on stdout
      labcheck explain step-04      what step 4 checks and why
    """


@main.command()
@click.argument("steps", nargs=-1)
@click.option("--all", "all_steps", is_flag=True, help="Grade every step of the lab.")
@lab_option
@click.option("--kubeconfig", envvar="LABCHECK_KUBECONFIG", default=None,
              help="Kubeconfig file(s), ':'-separated (default: KUBECONFIG or ~/.kube/config).")
@click.option("--context", envvar="LABCHECK_CONTEXT", default=None, help="Kube context (default: current).")
@click.option("-n", "--namespace", envvar="LABCHECK_NAMESPACE", default=None,
              help="Namespace to grade (default: the context's, else the lab's).")
@click.option("-o", "--output", envvar="LABCHECK_OUTPUT", type=click.Choice(["text", "json", "junit"]),
              default="text", show_default=True, help="Report format on stdout.")
@click.option("--junit-xml", envvar="LABCHECK_JUNIT_XML", type=click.Path(dir_okay=False), default=None,
              help="Also write JUnit XML to this file.")
@click.option("--json-report", envvar="LABCHECK_JSON_REPORT", type=click.Path(dir_okay=False),
              default=None, help="Also write the JSON report to this file.")
@lang_option
@click.option("--wait", envvar="LABCHECK_WAIT", type=click.FloatRange(min=0), default=None,
              help="Poll each check at most this many seconds (0: one look).")
@click.option("--files", "files_dir", envvar="LABCHECK_FILES", type=click.Path(file_okay=False),
              default=".", show_default=True, help="Folder with the files the lab asked you to save.")
@click.option("--color/--no-color", envvar="LABCHECK_COLOR", default=None,
              help="Colour (default: on a terminal, unless NO_COLOR is set).")
def check(steps: tuple[str, ...], all_steps: bool, lab: str, kubeconfig: str | None,
          context: str | None, namespace: str | None, output: str, junit_xml: str | None,
          json_report: str | None, lang: Lang | None, wait: float | None, files_dir: str,
          color: bool | None) -> None:
    """Grade STEPS (e.g. step-04) against the cluster."""
    from grader.session import CheckRequest, run_check

    request = CheckRequest(
        steps=list(steps), all_steps=all_steps, lab=lab, kubeconfig=kubeconfig, context=context,
        namespace=namespace, output=output, junit_xml=junit_xml, json_report=json_report,
        lang=lang or default_lang(), wait=wait, files_dir=Path(files_dir),
        color=_use_color(color, sys.stdout),
    )
    sys.exit(int(run_check(request)))


def _use_color(flag: bool | None, stream: Any) -> bool:
    if flag is not None:
        return flag
    return bool(getattr(stream, "isatty", lambda: False)()) and "NO_COLOR" not in os.environ


@main.command("list")
@lab_option
@lang_option
def list_steps(lab: str, lang: Lang | None) -> None:
    """List the lab's steps and how many points each is worth."""
    from grader.explain import render_list
    from grader.loader import load_lab

    click.echo(render_list(load_lab(lab), lang or default_lang()))


@main.command()
@click.argument("steps", nargs=-1, required=True)
@lab_option
@lang_option
def explain(steps: tuple[str, ...], lab: str, lang: Lang | None) -> None:
    """Say what STEPS check, and why, without reading any cluster."""
    from grader.explain import render_explain
    from grader.loader import load_lab
    from grader.session import resolve_steps

    loaded = load_lab(lab)
    click.echo(render_explain(loaded, resolve_steps(loaded, list(steps), False), lang or default_lang()))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def validate(paths: tuple[str, ...]) -> None:
    """Validate lab folders (no cluster needed); exit 2 on any problem."""
    from grader.i18n import tr
    from grader.loader import load_lab

    problems: list[str] = []
    for path in paths:
        try:
            lab = load_lab(path)
        except SpecError as exc:
            problems.extend(exc.lines)
            continue
        checks = sum(len(s.checks) for s in lab.steps.values())
        click.echo(tr("cli.valid", default_lang(), path=path, steps=len(lab.steps), checks=checks))
    if problems:
        raise SpecError(problems)


@main.command()
@click.option("--output", "-o", "out", type=click.Path(dir_okay=False), default=None,
              help="Write to this file instead of stdout.")
def schema(out: str | None) -> None:
    """Print the JSON Schema of lab.yaml and step files (for editor completion)."""
    from grader.schema import schema_text

    text = schema_text()
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def run() -> None:
    """Entry point: known problems exit 2 with one line, bugs exit 3."""
    try:
        main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.USAGE_ERROR)
    except click.exceptions.Abort:
        sys.exit(ExitCode.USAGE_ERROR)
    except SpecError as exc:
        for line in exc.lines:
            click.echo(line, err=True)
        sys.exit(ExitCode.USAGE_ERROR)
    except LabcheckError as exc:
        click.echo(f"labcheck: {exc}", err=True)
        sys.exit(ExitCode.USAGE_ERROR)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug: say so briefly; the traceback only on request
        if os.environ.get("LABCHECK_DEBUG"):
            raise
        click.echo(f"labcheck: internal error: {type(exc).__name__}: {exc} "
                   "(set LABCHECK_DEBUG=1 for the traceback, and please report it)", err=True)
        sys.exit(ExitCode.INTERNAL_ERROR)
