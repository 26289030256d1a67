"""Files labcheck writes: whole or not at all (write, then rename)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from labcheck.errors import LabcheckError


def write_json(path: Path, data: Any, compact: bool = False) -> None:
    """Write then rename, so an interrupted run never leaves half a file for --resume to trust.
    `compact`: one line, by json's C encoder (any indent makes json encode in Python, 5x slower):
    for the files a batch writes per student."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False) if compact \
        else json.dumps(data, ensure_ascii=False, indent=2)
    write_text(path, text + "\n")


def write_text(path: Path, text: str) -> None:
    with atomic_text(path) as stream:
        stream.write(text)


@contextmanager
def atomic_text(path: Path) -> Iterator[TextIO]:
    """A file written piece by piece (a class's outputs, one student at a time), renamed into place
    once whole; nothing is left at `path` when the writing fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as stream:
            yield stream
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _problem(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def prepare_output(path: str | Path, option: str) -> Path:
    """A file the user asked for (`--junit-xml out/report.xml`): its folders are made now, and a path
    that can never be written (a folder, a file in the way, no permission) is a usage error before
    any grading, naming the option and the path."""
    target = Path(path)
    if target.is_dir():
        raise LabcheckError(f"{option} {path}: is a folder; give a file name")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LabcheckError(f"{option} {path}: cannot create the folder {target.parent}: "
                            f"{_problem(exc)}") from None
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise LabcheckError(f"{option} {path}: the folder {target.parent} is not writable")
    return target


def write_output(path: str | Path, text: str, option: str) -> None:
    """Write a file the user asked for; a failure is their path's problem (exit 2), never a bug."""
    target = prepare_output(path, option)
    try:
        write_text(target, text)
    except OSError as exc:
        raise LabcheckError(f"{option} {path}: cannot write: {_problem(exc)}") from None
