"""Reporters: turn one `RunResult` into a text, JSON, JUnit XML or Markdown report.

Every reporter is a plain function `(RunResult, ReportOptions) -> str`, looked up by name in
`REPORTERS` (the names `-o` accepts). Reporters never talk to the cluster and never raise on odd
content: anything that came from the cluster goes through `labcheck.reporters.safe` first.
"""

from __future__ import annotations

from collections.abc import Callable

from labcheck.core.i18n import Lang
from labcheck.core.record import dataclass
from labcheck.core.results import RunResult


@dataclass(frozen=True)
class ReportOptions:
    lang: Lang
    color: bool = False  # ANSI colours (text report only; the caller decides: terminal, NO_COLOR)
    verbose: bool = False  # also evidence, attempts and durations


Reporter = Callable[[RunResult, ReportOptions], str]


def _text(result: RunResult, options: ReportOptions) -> str:
    from labcheck.reporters.text import render

    return render(result, options)


def _json(result: RunResult, options: ReportOptions) -> str:
    from labcheck.reporters.json_report import render

    return render(result, options)


def _junit(result: RunResult, options: ReportOptions) -> str:
    from labcheck.reporters.junit import render

    return render(result, options)


def _markdown(result: RunResult, options: ReportOptions) -> str:
    from labcheck.reporters.markdown import render

    return render(result, options)


REPORTERS: dict[str, Reporter] = {
    "text": _text,
    "json": _json,
    "junit": _junit,
    "markdown": _markdown,
}

__all__ = ["REPORTERS", "ReportOptions", "Reporter"]
