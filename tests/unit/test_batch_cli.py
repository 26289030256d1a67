"""`labcheck grade`/`merge` as an instructor runs them, with no cluster (every target unreachable)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cli_run import labcheck

NOWHERE = {
    "apiVersion": "v1", "kind": "Config", "current-context": "nowhere",
    "clusters": [{"name": "nowhere", "cluster": {"server": "https://127.0.0.1:1"}}],
    "users": [{"name": "u", "user": {"token": "sekrit-token-0123456789abcdef"}}],
    "contexts": [{"name": "nowhere", "context": {"cluster": "nowhere", "user": "u"}}],
}


def setup(tmp_path: Path, count: int = 5) -> Path:
    (tmp_path / "nowhere.yaml").write_text(yaml.safe_dump(NOWHERE))
    rows = "".join(f"s{i},Student {i},nowhere.yaml,lab-{i}\n" for i in range(count))
    (tmp_path / "roster.csv").write_text("id,name,kubeconfig,namespace\n" + rows)
    return tmp_path / "roster.csv"


def test_indexed_job_shard_and_merge(tmp_path: Path) -> None:
    setup(tmp_path)
    for index in (0, 1):
        proc = labcheck("grade", "--roster", "roster.csv", "--steps", "step-04", "--out", "results-{shard}",
                        "--wait", "0", cwd=tmp_path,
                        env={"JOB_COMPLETION_INDEX": str(index), "LABCHECK_SHARDS": "2"})
        assert proc.returncode == 2, proc.stderr
        assert "sekrit" not in proc.stdout + proc.stderr
    assert sorted(p.name for p in (tmp_path / "results-0" / "students").iterdir()) == ["s0", "s2", "s4"]
    assert json.loads((tmp_path / "results-1" / "batch.json").read_text())["shard"] == [1, 2]
    merged = labcheck("merge", "results-0", "results-1", "--out", "merged", "--errors", "empty",
                      "--id-column", "Student ID", cwd=tmp_path)
    assert merged.returncode == 2 and "5 students: 0 passed, 0 not passed, 5 ungraded" in merged.stdout
    rows = list(csv.reader(io.StringIO((tmp_path / "merged" / "gradebook.csv").read_text())))
    assert rows[0] == ["Student ID", "name", "step-04", "total"]
    assert [r[0] for r in rows[1:]] == ["s0", "s1", "s2", "s3", "s4"] and all(r[2:] == ["", ""] for r in rows[1:])
    ok = labcheck("merge", "results-0", "results-1", "--out", "merged2", "--exit-zero", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr


def test_usage_problems_exit_2_with_one_clear_line(tmp_path: Path) -> None:
    setup(tmp_path)
    (tmp_path / "bad.csv").write_text("id,name,namespace\nok,Ok,lab-a\nbad id,Bad,lab-b\n")
    proc = labcheck("grade", "--roster", "bad.csv", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("bad.csv:3: id: 'bad id' is not a valid id "
                                   "(letters, digits and . _ @ + -, at most 128)")
    proc = labcheck("grade", "--roster", "roster.csv", cwd=tmp_path, env={"JOB_COMPLETION_INDEX": "0"})
    assert proc.returncode == 2 and "--shards N" in proc.stderr
    proc = labcheck("grade", "--roster", "roster.csv", "--shard", "3/3", cwd=tmp_path)
    assert proc.returncode == 2 and "INDEX/COUNT" in proc.stderr
    proc = labcheck("grade", "--roster", "roster.csv", "--steps", "step-99", cwd=tmp_path)
    assert proc.returncode == 2 and "no step 'step-99'" in proc.stderr


def test_grade_takes_one_look_unless_wait_is_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A class with unfinished steps must not wait out the lab's timeout for every pending check."""
    from click.testing import CliRunner

    from labcheck.batch import run
    from labcheck.cli import main

    setup(tmp_path, 1)
    seen: list[float | None] = []
    real = run.default_grade_fn

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs["wait"])
        return real(*args, **kwargs)

    monkeypatch.setattr(run, "default_grade_fn", spy)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LABCHECK_WAIT", raising=False)
    CliRunner().invoke(main, ["grade", "--roster", "roster.csv", "--steps", "step-04", "--out", "a"])
    CliRunner().invoke(main, ["grade", "--roster", "roster.csv", "--steps", "step-04", "--out", "b",
                              "--wait", "15"])
    assert seen == [0.0, 15.0]
