"""Commands for course authors and curious students: list, explain, validate, schema."""

from __future__ import annotations

from pathlib import Path

import click

from labcheck.cli_options import complete_steps, lab_option, lang_option
from labcheck.core.lang import Lang, default_lang
from labcheck.errors import SpecError


@click.command("list")
@lab_option
@lang_option
def list_steps(lab: str, lang: Lang | None) -> None:
    """List the lab's steps and how many points each is worth."""
    from labcheck.commands import list_text

    click.echo(list_text(lab, lang))


@click.command()
@click.argument("steps", nargs=-1, required=True, shell_complete=complete_steps)
@lab_option
@lang_option
def explain(steps: tuple[str, ...], lab: str, lang: Lang | None) -> None:
    """Say what STEPS check, and why, without reading any cluster."""
    from labcheck.commands import explain_text

    click.echo(explain_text(steps, lab, lang))


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def validate(paths: tuple[str, ...]) -> None:
    """Validate lab folders (no cluster needed); exit 2 on any problem."""
    from labcheck.core.i18n import tr
    from labcheck.loader import load_lab

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


@click.command()
@click.option("--output", "-o", "out", type=click.Path(dir_okay=False), default=None,
              help="Write to this file instead of stdout.")
@click.option("--tests", "tests_file", is_flag=True,
              help="The schema of tests.yaml (test-lab's mistakes) instead.")
def schema(out: str | None, tests_file: bool) -> None:
    """Print the JSON Schema of lab.yaml and step files (for editor completion)."""
    from labcheck.labtests import labtests_schema_text
    from labcheck.schema import schema_text

    text = labtests_schema_text() if tests_file else schema_text()
    if out:
        from labcheck.files import write_output

        write_output(out, text, "--output")
    else:
        click.echo(text, nl=False)


@click.command("new-lab")
@click.argument("name")
@click.option("--dir", "parent", type=click.Path(file_okay=False), default=".", show_default=True,
              help="Where to create the lab folder.")
def new_lab(name: str, parent: str) -> None:
    """Create a lab folder NAME: a commented example step, its solution and a tests.yaml mistake."""
    from labcheck.scaffold import new_lab as scaffold

    folder = scaffold(name, Path(parent))
    click.echo(f"{folder}: created lab.yaml, step-01.yaml, solutions/step-01.sh, tests.yaml, schemas\n"
               f"next: labcheck lint {folder} && labcheck explain step-01 --lab {folder}\n"
               f"then, on a test cluster: labcheck test-lab {folder} --allow-writes")


@click.command()
@click.argument("steps", nargs=-1, shell_complete=complete_steps)
@click.option("--all", "all_steps", is_flag=True, help="Every step of the lab.")
@lab_option
@click.option("-n", "--namespace", envvar="LABCHECK_NAMESPACE", default="default", show_default=True,
              help="Namespace that will be graded.")
@click.option("--name", default="labcheck-grader", show_default=True, help="Name of the Role and bindings.")
@click.option("--service-account", default=None, help="Bind to (and create) this ServiceAccount.")
@click.option("--user", default=None, help="Bind to this user instead (default: --name).")
def rbac(steps: tuple[str, ...], all_steps: bool, lab: str, namespace: str, name: str,
         service_account: str | None, user: str | None) -> None:
    """Print the least-privilege RBAC (kubectl apply -f -) for grading STEPS."""
    from labcheck.loader import load_lab
    from labcheck.rbac import manifests
    from labcheck.session import resolve_steps

    loaded = load_lab(lab)
    step_ids = resolve_steps(loaded, list(steps), all_steps)
    click.echo(manifests(loaded, step_ids, namespace, name, service_account, user), nl=False)


COMMANDS = [list_steps, explain, validate, schema, new_lab, rbac]
