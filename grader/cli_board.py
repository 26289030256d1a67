"""`labcheck board`: the class live in a browser (needs the `labcheck[board]` extra)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import click

from labcheck.cli_options import lab_option, lang_option
from labcheck.core.lang import Lang, default_lang
from labcheck.errors import LabcheckError


@click.command()
@click.option("--roster", envvar="LABCHECK_ROSTER", type=click.Path(dir_okay=False), default=None,
              help="CSV or YAML roster (as `labcheck grade` reads it).")
@click.option("--namespaces", envvar="LABCHECK_NAMESPACES", default=None,
              help="Instead of a roster: every namespace of the cluster matching this pattern ('team-*').")
@lab_option
@click.option("--steps", envvar="LABCHECK_STEPS", default="all", show_default=True,
              help="Comma-separated step ids, or 'all'.")
@click.option("--kubeconfig", envvar="LABCHECK_KUBECONFIG", default=None,
              help="Kubeconfig for roster rows that name none (and for --namespaces).")
@click.option("--context", envvar="LABCHECK_CONTEXT", default=None, help="Context for --namespaces.")
@click.option("--files", "files_dir", envvar="LABCHECK_FILES", type=click.Path(file_okay=False), default=None,
              help="Folder with one sub-folder per student id (their saved files).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback needs the token printed at start.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="0: any free port.")
@click.option("--stuck-minutes", type=click.FloatRange(min=0), default=10.0, show_default=True,
              help="Mark a student stuck after this long without progress on a step.")
@click.option("--interval", type=click.FloatRange(min=1), default=30.0, show_default=True,
              help="Seconds between full re-grades (logs, exec and HTTP checks; watches cover the rest).")
@click.option("--max-watched", type=click.IntRange(min=0), default=20, show_default=True,
              help="Clusters watched at most (students' own clusters); the others are graded every "
                   "--interval.")
@lang_option
def board(roster: str | None, namespaces: str | None, lab: str, steps: str, kubeconfig: str | None,
          context: str | None, files_dir: str | None, host: str, port: int, stuck_minutes: float,
          interval: float, max_watched: int, lang: Lang | None) -> None:
    """Serve a live class board: students x steps, updated as the cluster changes (read-only)."""
    if (roster is None) == (namespaces is None):
        raise click.UsageError("give either --roster or --namespaces")
    try:
        from labcheck.board.app import listen, loopback, make_app, serve
    except ImportError as exc:
        raise LabcheckError("labcheck board needs its extra: pip install 'labcheck[board]' "
                            f"({exc.name})") from None
    from labcheck.batch.roster import load_roster
    from labcheck.board.state import Board
    from labcheck.board.targets import build_rows, namespace_students
    from labcheck.cli_instructor import _steps
    from labcheck.loader import load_lab

    lang = lang or default_lang()
    lab_obj = load_lab(lab)
    step_ids = _steps(lab_obj, steps)
    students = load_roster(roster) if roster else namespace_students(kubeconfig, context, namespaces or "")
    try:
        sock = listen(host, port)
    except OSError as exc:
        raise LabcheckError(f"labcheck board: cannot listen on {host}:{port}: "
                            f"{exc.strerror or exc}") from None
    import secrets

    token = None if loopback(host) else secrets.token_urlsafe(18)
    cond = threading.Condition()
    rows = build_rows(students, kubeconfig, Path(files_dir) if files_dir else None,
                      lab_obj.spec.defaults.namespace, cond, lang, max_watched)
    the_board = Board(lab_obj, step_ids, rows, stuck_minutes, interval, cond=cond)
    stop = threading.Event()
    threading.Thread(target=the_board.run, args=(stop,), daemon=True, name="board").start()
    bound = sock.getsockname()
    shown = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
    url = f"http://{shown}:{bound[1]}/" + (f"?token={token}" if token else "")
    from labcheck.core.i18n import tr  # pydantic: not for `labcheck --help` or `list`

    print(tr("board.listening", lang, url=url), flush=True)
    try:
        serve(make_app(the_board, lang, token), sock)
    finally:
        stop.set()
        for hub in the_board.hubs():
            hub.close()
    sys.exit(0)


COMMANDS: list[click.Command] = [board]
