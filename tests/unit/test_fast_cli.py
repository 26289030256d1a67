"""The fast path (labcheck/fast_cli.py) reads a command line as click does, or leaves it to click.

click is the oracle: each command line below goes through click's own parser (the commands'
bodies replaced by a recorder) and through the fast path with the table cli_table.py writes;
whenever the fast path takes a line, it must give the same command the same arguments.
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest

from labcheck import commands, fast_cli
from labcheck.cli import main
from labcheck.cli_table import describe

TABLE = describe(main)
A_FILE = str(Path(__file__))
LINES: list[list[str]] = [
    ["step-04"], ["step-04", "-n", "ns1"], ["check", "step-04", "--namespace=ns1"], ["--watch", "step-02"],
    ["step-02", "--wait", "5"], ["step-02", "--wait=0"], ["step-02", "--wait", "-1"], ["step-02", "--wait", "abc"],
    ["step-02", "--wait"], ["step-02", "--wait", "inf"], ["step-04", "-o", "json"], ["step-04", "-o", "xml"],
    ["step-04", "--output=junit"], ["step-04", "--lang", "zh"], ["--lang", "zh", "step-04"], ["step-04", "--color"],
    ["step-04", "--no-color"], ["step-04", "-v", "--no-progress"], ["step-04", "-vn", "x"], ["step-04", "--", "-x"],
    ["--all"], ["check", "--all", "-o", "junit"], ["step-04", "--junit-xml", "out.xml"], ["step-04", "--files", "/"],
    ["step-04", "--files", A_FILE], ["step-04", "--files", "/nonexistent/x"], ["step-04", "--kubeconfig", "/no/file"],
    ["step-04", "--context", "kind-kind"], ["step-04", "--timeout", "30", "--wait", "2.5"], ["list"],
    ["list", "--lang", "en"], ["list", "extra"], ["list", "--lab", "pods"], ["explain"], ["explain", "step-04", "step-05"],
    ["explain", "--lab", "pods", "step-04"], ["explain", "step-04", "--lang=zh"], ["--help"], ["step-04", "--help"],
    ["-h"], ["--version"], ["board"], ["grade", "--roster", "x"], ["step-04", "--watch=1"], ["step-04", "-n"],
    ["step-04", "-n", "-v"], ["step-04", "--namespace="], ["step-04", "--lab", "pods", "--lab", "other"], [],
    ["step-04", "--unknown"], ["step-04", "-x"], ["-"], ["step-04", "-"], ["check"], ["step-01", "step-02", "--all"],
    ["step-04", "--receipt", "r.json"], ["step-04", "--format", "gradescope"], ["step-04", "--results-file", "x"],
    ["validate", "scenarios/pods"], ["step-04", "-n", "a", "-n", "b"], ["step-04", "--color", "--no-color"],
]


class _Called(Exception):
    pass


def click_reads(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[str, dict[str, Any]] | str:
    """What click passes to the command's body, or "refused"."""
    seen: list[tuple[str, dict[str, Any]]] = []

    def recorder(name: str, real: Any) -> Any:
        def record(*args: Any, **kwargs: Any) -> Any:
            seen.append((name, dict(inspect.signature(real).bind(*args, **kwargs).arguments)))
            raise _Called

        return record

    for name, attr in (("check", "check_command"), ("list", "list_text"), ("explain", "explain_text")):
        monkeypatch.setattr(commands, attr, recorder(name, getattr(commands, attr)))
    try:
        main(argv, prog_name="labcheck", standalone_mode=False)
    except _Called:
        return seen[0]
    except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
        return "refused"
    return "other"


@pytest.mark.parametrize("argv", LINES, ids=[" ".join(a) or "(nothing)" for a in LINES])
def test_the_fast_path_reads_a_line_as_click_does(argv: list[str], monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    for name in TABLE["envvars"]:
        monkeypatch.delenv(name, raising=False)
    fast = fast_cli.parse(argv, {}, TABLE)
    if fast is not None:  # else click reads it, as before (and some of these lines would run commands)
        assert click_reads(argv, monkeypatch) == fast


@pytest.mark.parametrize("argv", [["step-04"], ["step-04", "-n", "ns1", "--wait", "0"], ["--watch", "step-02"],
                                  ["list"], ["explain", "step-04"], ["step-01", "--no-progress", "--lang", "zh"],
                                  ["check", "--all", "-o", "junit", "--context", "c"]])
def test_what_students_type_takes_the_fast_path(argv: list[str]) -> None:
    assert fast_cli.parse(argv, {}, TABLE) is not None


def test_a_variable_click_reads_sends_the_line_to_click() -> None:
    assert "LABCHECK_NAMESPACE" in TABLE["envvars"] and "LABCHECK_CHECK_NAMESPACE" in TABLE["envvars"]
    assert fast_cli.parse(["step-04"], {"LABCHECK_NAMESPACE": "x"}, TABLE) is None
    assert fast_cli.parse(["step-04"], {"_LABCHECK_COMPLETE": "bash_complete"}, TABLE) is None
    assert fast_cli.parse(["step-04"], {}, None) is None  # no table yet


def test_a_second_run_does_not_import_click(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABCHECK_")}
    env.update(XDG_CACHE_HOME=str(tmp_path), KUBECONFIG=str(tmp_path / "none"))
    runs = [subprocess.run([sys.executable, "-X", "importtime", "-m", "labcheck", "list"], capture_output=True,
                           text=True, timeout=60, env=env, cwd=tmp_path) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0]
    assert runs[0].stdout == runs[1].stdout and "step-04" in runs[1].stdout
    imported = [line.rsplit("|", 1)[-1].strip() for line in runs[1].stderr.splitlines()]
    assert "click" in [line.rsplit("|", 1)[-1].strip() for line in runs[0].stderr.splitlines()]
    assert "click" not in imported
    assert list((tmp_path / "labcheck").glob("cli-*.json"))


@pytest.mark.parametrize("argv", [["list"], ["explain", "step-04", "--lang", "zh"], ["step-01", "--no-progress"],
                                  ["step-04", "--kubeconfig", "/nonexistent/kubeconfig", "--no-progress"]])
def test_the_fast_path_prints_what_click_prints(argv: list[str], tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABCHECK_")}
    env.update(XDG_CACHE_HOME=str(tmp_path), KUBECONFIG=str(tmp_path / "none"), NO_COLOR="1")
    run = [sys.executable, "-m", "labcheck", *argv]
    subprocess.run(run, capture_output=True, timeout=60, env=env, cwd=tmp_path)  # writes the table
    fast = subprocess.run(run, capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    slow = subprocess.run(run, capture_output=True, text=True, timeout=60, cwd=tmp_path,
                          env={**env, "LABCHECK_LAB": "pods"})  # a variable click reads: click's path
    assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr)
