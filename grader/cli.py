"""The `labcheck` command line. `labcheck step-04` is short for `labcheck check step-04`."""

from __future__ import annotations

import sys
from typing import Any

import click

from labcheck import __version__
from labcheck.cli_options import cluster_options, complete_steps, lab_option, lang_option
from labcheck.commands import exit_for
from labcheck.core.lang import Lang, default_lang
from labcheck.core.results import ExitCode

GROUP_OPTIONS = ("-h", "--help", "--version")


class StepShortcutGroup(click.Group):
    """Treats an unknown command name (or a check option: `labcheck --watch step-02`) as `check`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args and not ctx.resilient_parsing:  # bare `labcheck`: the help is the answer, exit 0
            click.echo(ctx.get_help())
            ctx.exit(0)
        if args and args[0].startswith("-") and args[0] not in GROUP_OPTIONS \
                and not ctx.resilient_parsing:
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        if args and args[0] not in self.commands and args[0] not in GROUP_OPTIONS:
            return "check", self.commands["check"], args
        return super().resolve_command(ctx, args)


@click.group(cls=StepShortcutGroup, context_settings={"help_option_names": ["-h", "--help"],
                                                    "auto_envvar_prefix": "LABCHECK"})
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
@click.argument("steps", nargs=-1, shell_complete=complete_steps)
@click.option("--all", "all_steps", is_flag=True, help="Grade every step of the lab.")
@lab_option
@cluster_options
@click.option("-o", "--output", envvar="LABCHECK_OUTPUT",
              type=click.Choice(["text", "json", "junit", "markdown"]),
              default="text", show_default=True, help="Report format on stdout.")
@click.option("--format", "results_format", envvar="LABCHECK_FORMAT",
              type=click.Choice(["gradescope", "prairielearn", "classroom"]), default=None,
              help="Also an autograder's results: Gradescope's or PrairieLearn's results.json, GitHub "
                   "Classroom's runner result (to --results-file, else instead of the report on stdout).")
@click.option("--results-file", envvar="LABCHECK_RESULTS_FILE", type=click.Path(dir_okay=False), default=None,
              help="Where --format writes its results (e.g. /autograder/results/results.json).")
@click.option("--junit-xml", envvar="LABCHECK_JUNIT_XML", type=click.Path(dir_okay=False), default=None,
              help="Also write JUnit XML to this file.")
@click.option("--json-report", envvar="LABCHECK_JSON_REPORT", type=click.Path(dir_okay=False),
              default=None, help="Also write the JSON report to this file.")
@lang_option
@click.option("--wait", envvar="LABCHECK_WAIT", type=click.FloatRange(min=0), default=None,
              help="Poll each check at most this many seconds (0: one look).")
@click.option("--timeout", envvar="LABCHECK_TIMEOUT", type=click.FloatRange(min=0), default=None,
              help="End the whole run within this many seconds, however slow the cluster answers "
                   "(0: no limit).")
@click.option("--watch", envvar="LABCHECK_WATCH", is_flag=True,
              help="Re-check as the cluster changes (Kubernetes watches) until everything passes "
                   "(or --wait seconds, default 600), with progress.")
@click.option("--files", "files_dir", envvar="LABCHECK_FILES", type=click.Path(file_okay=False),
              default=".", show_default=True, help="Folder with the files the lab asked you to save.")
@click.option("--receipt", envvar="LABCHECK_RECEIPT", type=click.Path(dir_okay=False), default=None,
              help="Also write a receipt (JSON evidence for your instructor) to this file.")
@click.option("-v", "--verbose", envvar="LABCHECK_VERBOSE", is_flag=True,
              help="Also show evidence (uids, nodes) and how many looks each check took.")
@click.option("--color/--no-color", envvar="LABCHECK_COLOR", default=None,
              help="Colour (default: on a terminal, unless NO_COLOR is set).")
@click.option("--no-progress", envvar="LABCHECK_NO_PROGRESS", is_flag=True,
              help="Grade only what the cluster shows now: neither read nor write the progress file "
                   "(which remembers checks that passed before a later step deleted their objects).")
def check(steps: tuple[str, ...], all_steps: bool, lab: str, kubeconfig: str | None,
          context: str | None, namespace: str | None, output: str, junit_xml: str | None,
          json_report: str | None, lang: Lang | None, wait: float | None, timeout: float | None,
          watch: bool, files_dir: str, receipt: str | None, verbose: bool, color: bool | None,
          results_format: str | None, results_file: str | None, no_progress: bool) -> None:
    """Grade STEPS (e.g. step-04) against the cluster."""
    if results_file and not results_format:
        raise click.UsageError("--results-file needs --format gradescope|prairielearn|classroom")
    from labcheck.commands import check_command

    check_command(steps, all_steps, lab, kubeconfig, context, namespace, output, junit_xml, json_report, lang,
                  wait, timeout, watch, files_dir, receipt, verbose, color, results_format, results_file,
                  no_progress)


@main.command("progress")
@lab_option
@cluster_options
@lang_option
@click.option("--reset", is_flag=True,
              help="Forget it: delete the progress file of this cluster + namespace.")
def progress_command(lab: str, kubeconfig: str | None, context: str | None, namespace: str | None,
                     lang: Lang | None, reset: bool) -> None:
    """Show (or --reset) what `labcheck check` remembers as passed in this cluster and namespace."""
    from labcheck.progress import show_or_reset

    click.echo(show_or_reset(lab, kubeconfig, context, namespace, lang or default_lang(), reset))


def _register_commands() -> None:
    # Commands live in small modules by audience; each exposes COMMANDS.
    from labcheck import cli_authoring, cli_board, cli_course, cli_instructor

    for module in (cli_authoring, cli_course, cli_instructor, cli_board):
        for command in module.COMMANDS:
            main.add_command(command)


_register_commands()


def run() -> None:
    """Entry point: known problems exit 2 with one line, bugs exit 3."""
    from labcheck.cli_table import remember

    remember(main)  # what the fast path (fast_cli.py) needs to know of the options, once per version
    try:
        main(prog_name="labcheck", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.USAGE_ERROR)
    except click.exceptions.Abort:
        sys.exit(ExitCode.USAGE_ERROR)
    except Exception as exc:  # noqa: BLE001  labcheck's own problems and bugs (commands.exit_for)
        sys.exit(exit_for(exc, lambda line: click.echo(line, err=True)))
    except KeyboardInterrupt:
        sys.exit(130)
