"""Commands for instructors: `grade` a roster, `merge` shards, `collect` receipts."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from labcheck.cli_options import lab_option, lang_option
from labcheck.core.lang import Lang, default_lang
from labcheck.core.results import ExitCode


def tr(key: str, lang: Lang, **params: Any) -> str:
    from labcheck.core.i18n import tr as translate  # pydantic: only when a command runs, not for --help

    return translate(key, lang, **params)


def gradebook_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """How gradebook.csv looks, for the LMS that imports it: a preset, then single columns."""
    options = [
        click.option("--gradebook", "gradebook_preset", envvar="LABCHECK_GRADEBOOK",
                     type=click.Choice(["plain", "canvas", "moodle"]), default="plain", show_default=True,
                     help="Columns as the LMS's importer reads them (docs/instructors.md); "
                          "the options below change single columns of it."),
        click.option("--id-column", envvar="LABCHECK_ID_COLUMN", default="id", show_default=True,
                     help="Header of the student column (Moodle: 'Email address')."),
        click.option("--id-field", envvar="LABCHECK_ID_FIELD", type=click.Choice(["id", "sis_id", "email"]),
                     default="id", show_default=True, help="Roster field written in that column."),
        click.option("--name-column", envvar="LABCHECK_NAME_COLUMN", default="name", show_default=True,
                     help="Header of the name column ('' leaves names out)."),
        click.option("--step-column", envvar="LABCHECK_STEP_COLUMN", default="{step}", show_default=True,
                     help="Header of each step's column: {step}, {lab}, {max} are filled in."),
        click.option("--total-column", envvar="LABCHECK_TOTAL_COLUMN", default="total", show_default=True,
                     help="Header of the total column ('' leaves it out)."),
        click.option("--errors", "error_style", envvar="LABCHECK_ERRORS",
                     type=click.Choice(["ERROR", "empty"]), default="ERROR", show_default=True,
                     help="What an ungraded (error) cell shows; never 0."),
        click.option("--points-row/--no-points-row", envvar="LABCHECK_POINTS_ROW", default=False,
                     help="A 'Points Possible' row under the header (Canvas)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


_COLUMN_OPTIONS = {"id_column": "id_column", "id_field": "id_field", "name_column": "name_column",
                   "step_column": "step_column", "total_column": "total_column", "error_style": "errors",
                   "points_row": "points_row"}
_CANVAS_FIXED = ("id_column", "id_field", "name_column")


def _gradebook(kw: dict[str, Any], lang: Lang) -> Any:
    """The preset, with the column options given on the command line (or LABCHECK_*) on top."""
    from click.core import ParameterSource

    from labcheck.batch.gradebook import preset

    ctx = click.get_current_context()
    name = kw["gradebook_preset"]
    given = {field: kw[param] for param, field in _COLUMN_OPTIONS.items()
             if ctx.get_parameter_source(param) not in (ParameterSource.DEFAULT, None)}
    if name == "canvas" and any(p in given for p in _CANVAS_FIXED):
        raise click.UsageError("--gradebook canvas writes Canvas's own student columns (Student, ID, "
                               "SIS User ID, SIS Login ID, Section): leave out --id-column, --id-field "
                               "and --name-column")
    return preset(name, lang=lang, **given)


def _left_out(ids: Sequence[str], lang: Lang) -> None:
    for sid in ids:
        click.echo(f"{sid}: {tr('gradebook.left_out', lang)}", err=True)


def _steps(lab: Any, steps: str) -> list[str]:
    from labcheck.session import resolve_steps

    wanted = [s.strip() for s in steps.split(",") if s.strip()]
    return resolve_steps(lab, [] if "all" in wanted else wanted, "all" in wanted or not wanted)


def _shard(shard: str | None, shards: int | None) -> tuple[int, int] | None:
    from labcheck.batch.roster import parse_shard

    index = os.environ.get("JOB_COMPLETION_INDEX")
    if shard is None and index is not None:
        if not shards:
            raise click.UsageError("JOB_COMPLETION_INDEX is set: give the shard count with --shards N")
        shard = f"{index}/{shards}"
    if shard is None:
        return None
    try:
        return parse_shard(shard)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--shard") from None


def exit_zero_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--exit-zero/--no-exit-zero", envvar="LABCHECK_EXIT_ZERO", default=False,
                        help="Exit 0 once every student has a result (for Jobs and CI); "
                             "failed and ungraded students are in the outputs.")(f)


def _batch_exit(records: Sequence[Any], missing: int = 0, exit_zero: bool = False) -> ExitCode:
    if exit_zero:
        return ExitCode.OK
    if missing or any(r.has_error for r in records):
        return ExitCode.USAGE_ERROR
    return ExitCode.OK if all(r.passed for r in records) else ExitCode.CHECKS_FAILED


def _done(records: Sequence[Any], out: Path, lang: Lang) -> None:
    errors = sum(1 for r in records if r.has_error)
    passed = sum(1 for r in records if r.passed)
    failed = len(records) - passed - errors
    click.echo(tr("batch.done", lang, total=len(records), passed=passed, failed=failed, errors=errors,
                  out=out))


@click.command()
@click.option("--roster", envvar="LABCHECK_ROSTER", required=True, type=click.Path(dir_okay=False),
              help="CSV or YAML roster: id, name, email, sis_id, kubeconfig, context, namespace.")
@click.option("--steps", envvar="LABCHECK_STEPS", default="all", show_default=True,
              help="Comma-separated step ids, or 'all'.")
@lab_option
@click.option("--out", envvar="LABCHECK_OUT", default="results", show_default=True,
              help="Output folder; '{shard}' in it becomes the shard index.")
@click.option("--jobs", envvar="LABCHECK_JOBS", type=click.IntRange(min=1), default=8, show_default=True,
              help="Students graded at the same time.")
@click.option("--timeout", envvar="LABCHECK_TIMEOUT", type=click.FloatRange(min=0), default=300.0,
              show_default=True, help="Seconds per student before they end as error (0: no limit).")
@click.option("--wait", envvar="LABCHECK_WAIT", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="Poll each check at most this many seconds; 0 grades the state as it is, in one look "
                   "(a class with unfinished steps would otherwise wait out every pending check).")
@click.option("--resume/--no-resume", envvar="LABCHECK_RESUME", default=False,
              help="Skip students already graded in --out (ungraded ones are tried again).")
@click.option("--shard", envvar="LABCHECK_SHARD", default=None,
              help="Grade only shard INDEX/COUNT of the roster (INDEX from 0).")
@click.option("--shards", envvar="LABCHECK_SHARDS", type=click.IntRange(min=1), default=None,
              help="Shard count when the index comes from JOB_COMPLETION_INDEX (an indexed Job).")
@click.option("--kubeconfig", envvar="LABCHECK_KUBECONFIG", default=None,
              help="Kubeconfig for roster rows that name none.")
@click.option("--files", "files_dir", envvar="LABCHECK_FILES", type=click.Path(file_okay=False), default=None,
              help="Folder with one sub-folder per student id holding the files the lab asked for.")
@gradebook_options
@exit_zero_option
@lang_option
def grade(roster: str, steps: str, lab: str, out: str, jobs: int, timeout: float, wait: float,
          resume: bool, shard: str | None, shards: int | None, kubeconfig: str | None,
          files_dir: str | None, exit_zero: bool, lang: Lang | None, **kw: Any) -> None:
    """Grade every student of a roster; write per-student and class outputs to --out."""
    from labcheck.labcache import prefer_light

    prefer_light(lab)  # a lab validated before: no pydantic for the whole class either
    from labcheck.batch.outputs import RecordFiles, write_batch_meta, write_class
    from labcheck.batch.roster import load_roster
    from labcheck.batch.roster import shard as take_shard
    from labcheck.batch.run import BatchOptions, default_grade_fn, grade_roster
    from labcheck.loader import load_lab

    lang = lang or default_lang()
    gradebook = _gradebook(kw, lang)  # a usage error before anyone is graded
    lab_obj = load_lab(lab, cache=True)
    step_ids = _steps(lab_obj, steps)
    students = load_roster(roster)
    part = _shard(shard, shards)
    if part is not None:
        students = take_shard(students, *part)
    out_dir = Path(out.replace("{shard}", str(part[0]) if part else "all"))
    write_batch_meta(out_dir, {"lab": lab_obj.id, "steps": step_ids,
                               "scenario_digest": lab_obj.digest(), "roster": str(roster),
                               "shard": list(part) if part else None,
                               "students": [s.id for s in students]})
    grade_fn = default_grade_fn(lab_obj, step_ids, kubeconfig=kubeconfig, wait=wait,
                                files_dir=Path(files_dir) if files_dir else None, students=students)
    options = BatchOptions(out=out_dir, jobs=jobs, timeout=timeout or None, resume=resume, lang=lang)
    briefs = grade_roster(lab_obj, step_ids, students, options, grade_fn)
    # from the files each student's end wrote (and, with --resume, the earlier runs'): one at a time
    written = write_class(out_dir, RecordFiles(out_dir, known=briefs), gradebook, lang)
    _left_out(written.left_out, lang)
    _done(written.students, out_dir, lang)
    sys.exit(int(_batch_exit(written.students, exit_zero=exit_zero)))


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(file_okay=False, exists=True))
@click.option("--out", envvar="LABCHECK_OUT", required=True, help="Folder for the merged outputs.")
@gradebook_options
@exit_zero_option
@lang_option
def merge(inputs: tuple[str, ...], out: str, exit_zero: bool, lang: Lang | None, **kw: Any) -> None:
    """Merge the --out folders of shards (e.g. results-*/) into one class result."""
    from labcheck.batch.outputs import RecordFiles, merge_results, write_class

    lang = lang or default_lang()
    gradebook = _gradebook(kw, lang)
    out_dir = Path(out)
    copied, missing = merge_results([Path(p) for p in inputs], out_dir)
    from_missing = [{"id": sid, "index": 10**9} for sid in missing]
    written = write_class(out_dir, RecordFiles(out_dir, set(copied)), gradebook, lang, from_missing)
    _left_out(written.left_out, lang)
    for sid in missing:
        click.echo(f"{sid}: {tr('collect.missing', lang)}", err=True)
    _done(written.students, out_dir, lang)
    sys.exit(int(_batch_exit(written.students, len(missing), exit_zero)))


@click.command()
@click.argument("receipts", type=click.Path(file_okay=False, exists=True))
@click.option("--roster", envvar="LABCHECK_ROSTER", required=True, type=click.Path(dir_okay=False))
@lab_option
@click.option("--steps", envvar="LABCHECK_STEPS", default="all", show_default=True)
@click.option("--out", envvar="LABCHECK_OUT", default="collected", show_default=True)
@click.option("--window-start", envvar="LABCHECK_WINDOW_START", default=None,
              help="Assignment opens (ISO 8601; UTC unless a zone is given).")
@click.option("--window-end", envvar="LABCHECK_WINDOW_END", default=None, help="Assignment closes.")
@click.option("--shared-cluster/--own-clusters", envvar="LABCHECK_SHARED_CLUSTER", default=False,
              help="Students share one cluster (namespaces): do not flag the same cluster uid.")
@gradebook_options
@lang_option
def collect(receipts: str, roster: str, lab: str, steps: str, out: str, window_start: str | None,
            window_end: str | None, shared_cluster: bool, lang: Lang | None, **kw: Any) -> None:
    """Turn submitted receipts into a gradebook and flag suspicious ones (exit 1 if any)."""
    from labcheck.batch.collect import collect as run_collect
    from labcheck.batch.collect import flags_csv, parse_time
    from labcheck.batch.outputs import write_class, write_student
    from labcheck.batch.roster import load_roster
    from labcheck.files import write_text
    from labcheck.loader import load_lab

    lang = lang or default_lang()
    gradebook = _gradebook(kw, lang)
    try:
        start = parse_time(window_start) if window_start else None
        end = parse_time(window_end) if window_end else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--window-start/--window-end") from None
    lab_obj = load_lab(lab)
    students = load_roster(roster)
    records, missing, flags, unknown = run_collect(
        Path(receipts), students, lab_obj, _steps(lab_obj, steps), lab_obj.digest(),
        window_start=start, window_end=end, shared_cluster_ok=shared_cluster)
    out_dir = Path(out)
    for record in records:  # students/<id>/: gradescope/results.json, prairielearn/results.json, ...
        write_student(out_dir, record, lang)
    _left_out(write_class(out_dir, records, gradebook, lang, missing).left_out, lang)
    write_text(out_dir / "flags.csv", flags_csv(flags, lang))
    for path in unknown:
        click.echo(tr("collect.unknown_file", lang, path=path), err=True)
    for student in missing:
        click.echo(f"{student['id']}: {tr('collect.missing', lang)}", err=True)
    for flag in flags:
        click.echo(f"{flag.student}: {flag.kind}: {flag.message.get(lang)}")
    click.echo(tr("collect.summary", lang, receipts=len(records), students=len(students), flags=len(flags),
                  out=out_dir))
    sys.exit(int(ExitCode.CHECKS_FAILED if flags else ExitCode.OK))


COMMANDS: list[click.Command] = [grade, merge, collect]
