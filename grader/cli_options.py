"""Click options shared by several commands; every one also reads a LABCHECK_* variable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from click.shell_completion import CompletionItem

from labcheck.core.lang import LANGS

DEFAULT_LAB = "pods"

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def complete_steps(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Shell completion of step ids from the lab named by --lab (built-in Pods lab by default)."""
    from labcheck.loader import load_lab

    try:
        lab = load_lab(ctx.params.get("lab") or DEFAULT_LAB)
    except Exception:  # completion must never print a traceback into the shell
        return []
    return [CompletionItem(step, help=lab.step(step).title.en)
            for step in lab.spec.steps if step.startswith(incomplete)]


def lab_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--lab", envvar="LABCHECK_LAB", default=DEFAULT_LAB, show_default=True,
                        is_eager=True,  # known before step ids are completed
                        help="Lab folder (with lab.yaml) or built-in lab name.")(f)


def lang_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--lang", envvar="LABCHECK_LANG", type=click.Choice(LANGS), default=None,
                        help="Report language (default: from the locale).")(f)


def cluster_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """--kubeconfig, --context, -n: which cluster and namespace to read."""
    options: list[Decorator] = [
        click.option("--kubeconfig", envvar="LABCHECK_KUBECONFIG", default=None,
                     help="Kubeconfig file, which must exist, as kubectl's "
                          "(default: the files in KUBECONFIG, merged, or ~/.kube/config)."),
        click.option("--context", envvar="LABCHECK_CONTEXT", default=None,
                     help="Kube context (default: current)."),
        click.option("-n", "--namespace", envvar="LABCHECK_NAMESPACE", default=None,
                     help="Namespace to grade (default: the context's, else the lab's)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f
