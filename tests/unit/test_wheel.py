"""The distribution: a wheel and an sdist with the labs inside; the wheel works from a fresh venv."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out),
                           str(ROOT)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


def test_wheel_and_sdist_carry_the_labs(dist: Path) -> None:
    wheel = next(dist.glob("labcheck-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("labcheck/scenarios/pods/lab.yaml", "labcheck/scenarios/pods/step-04.yaml",
                   "labcheck/scenarios/sidecar/lab.yaml", "labcheck/scenarios/labcheck.schema.json",
                   "labcheck/data/junit.xsd", "labcheck/scenarios/pods/solutions/step-04.sh",
                   "labcheck/checks/pod_state.py", "labcheck/batch/__init__.py", "labcheck/kube/streams.py",
                   "labcheck/core/results.py", "labcheck/__main__.py", "labcheck/py.typed"):
        assert needed in names, needed
    sdist = next(dist.glob("labcheck-*.tar.gz"))
    with tarfile.open(sdist) as tar:
        assert any(n.endswith("scenarios/pods/step-02.yaml") for n in tar.getnames())


def test_the_wheel_installs_one_import_name(dist: Path) -> None:
    wheel = zipfile.ZipFile(next(dist.glob("labcheck-*.whl")))
    tops = {n.split("/", 1)[0] for n in wheel.namelist() if not n.split("/", 1)[0].endswith(".dist-info")}
    assert tops == {"labcheck"}
    top_level = next(n for n in wheel.namelist() if n.endswith(".dist-info/top_level.txt"))
    assert wheel.read(top_level).decode().split() == ["labcheck"]


def test_every_folder_of_the_package_is_listed_in_pyproject() -> None:
    """pyproject.toml lists the packages (the folders map to labcheck.*): none may be forgotten."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    roots = {"labcheck": ROOT / "grader", "labcheck.checks": ROOT / "checks",
             "labcheck.scenarios": ROOT / "scenarios"}
    on_disk = set()
    for name, root in roots.items():
        for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
            if folder.name == "__pycache__" or any(f.is_dir() and f != folder for f in roots.values()
                                                   if folder.is_relative_to(f) and f != root):
                continue
            on_disk.add(".".join([name, *folder.relative_to(root).parts]))
    assert listed == on_disk


def test_pipx_installs_the_wheel(dist: Path, tmp_path: Path) -> None:
    wheel = next(dist.glob("labcheck-*.whl"))
    env = {**os.environ, "PIPX_HOME": str(tmp_path / "pipx"), "PIPX_BIN_DIR": str(tmp_path / "bin"),
           "PIPX_MAN_DIR": str(tmp_path / "man")}
    pipx = Path(sys.executable).parent / "pipx"
    proc = subprocess.run([str(pipx), "install", str(wheel)], env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    listed = subprocess.run([str(tmp_path / "bin" / "labcheck"), "explain", "step-04", "--lang", "zh"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert listed.returncode == 0 and "my-first-service" in listed.stdout, listed.stderr


def test_wheel_installs_into_a_fresh_venv_and_runs(dist: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    wheel = next(dist.glob("labcheck-*.whl"))
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                          "--disable-pip-version-check", str(wheel)], capture_output=True, text=True, timeout=600)
    assert pip.returncode == 0, pip.stderr[-3000:]
    labcheck = venv / "bin" / "labcheck"
    listed = subprocess.run([str(labcheck), "list", "--lang", "en"], capture_output=True, text=True,
                            cwd=tmp_path, timeout=60)
    assert listed.returncode == 0 and "step-07" in listed.stdout, listed.stderr
    for lab in ("pods", "sidecar"):
        valid = subprocess.run([str(labcheck), "validate", lab], capture_output=True, text=True,
                               cwd=tmp_path, timeout=60)
        assert valid.returncode == 0, valid.stderr


def test_the_wheel_lives_beside_pypi_packages_named_like_its_folders(dist: Path, tmp_path: Path) -> None:
    """PyPI has unrelated packages named like the repository's folders; installed together, both work."""
    wheelhouse = os.environ.get("LABCHECK_WHEELHOUSE")
    assert wheelhouse and Path(wheelhouse).is_dir(), "run with ./scripts/test (it makes the wheelhouse)"
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    wheel = next(dist.glob("labcheck-*.whl"))
    pip = subprocess.run([python, "-m", "pip", "install", "-q", "--no-index", "--find-links", wheelhouse,
                          str(wheel), "checks==0.2", "grader==1.2", "scenarios==0.0.2"],
                         capture_output=True, text=True, timeout=600)
    assert pip.returncode == 0, pip.stderr[-3000:]
    theirs = subprocess.run([python, "-c", "import grader, scenarios, Checks; "
                             "print(grader.__file__, scenarios.__file__, Checks.__file__)"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert theirs.returncode == 0, theirs.stderr
    site = str(venv / "lib")
    assert all(p.startswith(site) and "labcheck" not in p for p in theirs.stdout.split()), theirs.stdout
    for command in ([str(venv / "bin" / "labcheck"), "list"], [python, "-m", "labcheck", "validate", "pods"]):
        ours = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=60)
        assert ours.returncode == 0, ours.stderr
