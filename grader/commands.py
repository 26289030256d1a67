"""What `labcheck check`, `list` and `explain` do, and how a run's errors become exit codes,
without click: both the click commands (cli.py) and the fast path (fast_cli.py) call these."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from labcheck.core.lang import Lang, default_lang
from labcheck.core.results import ExitCode
from labcheck.errors import LabcheckError, SpecError

WATCH_TIMEOUT = 600.0


def check_command(steps: tuple[str, ...], all_steps: bool, lab: str, kubeconfig: str | None,
                  context: str | None, namespace: str | None, output: str, junit_xml: str | None,
                  json_report: str | None, lang: Lang | None, wait: float | None, timeout: float | None,
                  watch: bool, files_dir: str, receipt: str | None, verbose: bool, color: bool | None,
                  results_format: str | None, results_file: str | None, no_progress: bool) -> NoReturn:
    from labcheck.labcache import prefer_light

    prefer_light(lab)  # before the models are imported: a lab validated before needs no pydantic
    from labcheck.session import CheckRequest, run_check

    request = CheckRequest(
        steps=list(steps), all_steps=all_steps, lab=lab, kubeconfig=kubeconfig, context=context,
        namespace=namespace, output=output, junit_xml=junit_xml, json_report=json_report,
        lang=lang or default_lang(), wait=wait, files_dir=Path(files_dir),
        color=use_color(color, sys.stdout), verbose=verbose, receipt=receipt, timeout=timeout,
        watch=(wait if wait is not None else WATCH_TIMEOUT) if watch else None, results_format=results_format,
        results_file=results_file, progress=not no_progress,
    )
    code = int(run_check(request))
    if watch:
        # The verdict is out (every file it wrote is closed): skip the interpreter's teardown, which
        # costs more than the watch's whole reaction to the change (~0.15 s of freeing modules).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def list_text(lab: str, lang: Lang | None) -> str:
    from labcheck.labcache import prefer_light

    prefer_light(lab)
    from labcheck.explain import render_list
    from labcheck.loader import load_lab

    return render_list(load_lab(lab, cache=True), lang or default_lang())


def explain_text(steps: tuple[str, ...], lab: str, lang: Lang | None) -> str:
    from labcheck.labcache import prefer_light

    prefer_light(lab)
    from labcheck.explain import render_explain
    from labcheck.loader import load_lab
    from labcheck.session import resolve_steps

    loaded = load_lab(lab, cache=True)
    return render_explain(loaded, resolve_steps(loaded, list(steps), False), lang or default_lang())


def use_color(flag: bool | None, stream: Any) -> bool:
    if flag is not None:
        return flag
    return bool(getattr(stream, "isatty", lambda: False)()) and "NO_COLOR" not in os.environ


def exit_for(exc: BaseException, say: Callable[[str], None]) -> int:
    """A problem labcheck knows (exit 2, one line) or a bug (exit 3, briefly); anything else,
    SystemExit included, is raised again."""
    if isinstance(exc, SpecError):
        for line in exc.lines:
            say(line)
        return ExitCode.USAGE_ERROR
    if isinstance(exc, LabcheckError):
        say(f"labcheck: {exc}")
        return ExitCode.USAGE_ERROR
    if isinstance(exc, KeyboardInterrupt):
        return 130
    if isinstance(exc, Exception) and not os.environ.get("LABCHECK_DEBUG"):
        say(f"labcheck: internal error: {type(exc).__name__}: {exc} "
            "(set LABCHECK_DEBUG=1 for the traceback, and please report it)")
        return ExitCode.INTERNAL_ERROR
    raise exc
