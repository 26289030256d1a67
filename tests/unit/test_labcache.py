"""A lab validated once is graded from the cache while no file changed: the same objects without
pydantic (light models), a miss for any change to a lab file or to labcheck, a corrupt entry
ignored and written again."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from labcheck import labcache, loader
from labcheck.errors import SpecError
from labcheck.loader import BUILTIN_LABS, load_lab
from labcheck.spec import Lab
from tests.cli_run import ROOT
from tests.unit.test_loader import STEP, make_lab


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("LABCHECK_LAB_CACHE", raising=False)
    labcache._loaded.clear()
    return home


def dump(lab: Lab) -> dict[str, object]:
    return {"lab": lab.spec.model_dump(), **{k: v.model_dump() for k, v in lab.steps.items()}}


def validations(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    seen: list[Path] = []
    real = loader._validated

    def counting(root: Path) -> Lab:
        seen.append(root)
        return real(root)

    monkeypatch.setattr(loader, "_validated", counting)
    return seen


def a_lab(tmp_path: Path) -> Path:
    (tmp_path / "lab").mkdir()
    return make_lab(tmp_path / "lab")


def entries(home: Path) -> list[Path]:
    return sorted((home / "labcheck" / "labs").glob("*.json"))


@pytest.mark.parametrize("name", sorted(p.name for p in BUILTIN_LABS.iterdir() if (p / "lab.yaml").is_file()))
def test_a_cached_lab_is_the_validated_one(name: str, monkeypatch: pytest.MonkeyPatch, cache_home: Path) -> None:
    seen = validations(monkeypatch)
    first = load_lab(name, cache=True)
    labcache._loaded.clear()
    again = load_lab(name, cache=True)
    assert len(seen) == 1 and len(entries(cache_home)) == 1
    assert dump(again) == dump(load_lab(name)) == dump(first)
    assert again.digest() == first.digest() and again.step_file("step-01") == first.step_file("step-01")
    check = again.step(again.spec.steps[0]).checks[0]
    assert type(check) is type(load_lab(name).step(again.spec.steps[0]).checks[0])


def test_any_change_to_a_lab_file_is_validated_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = validations(monkeypatch)
    lab = a_lab(tmp_path)
    load_lab(lab, cache=True)
    load_lab(lab, cache=True)
    assert len(seen) == 1
    (lab / "step-01.yaml").write_text(STEP.replace("name: web", "name: api"), encoding="utf-8")
    assert load_lab(lab, cache=True).step("step-01").checks[1].name == "api"  # type: ignore[attr-defined]
    assert len(seen) == 2
    (lab / "step-01.yaml").write_text(STEP.replace("name: web", "name: web\n    port: 80"), encoding="utf-8")
    with pytest.raises(SpecError):  # an invalid edit is an error, never the last good version
        load_lab(lab, cache=True)
    (lab / "notes.yaml").write_text("x: 1\n", encoding="utf-8")  # any YAML file beside the lab counts
    (lab / "step-01.yaml").write_text(STEP, encoding="utf-8")
    load_lab(lab, cache=True)
    assert len(seen) == 4


def test_another_labcheck_version_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            cache_home: Path) -> None:
    seen = validations(monkeypatch)
    lab = a_lab(tmp_path)
    load_lab(lab, cache=True)
    monkeypatch.setattr(labcache, "__version__", "999.0")
    labcache._loaded.clear()
    load_lab(lab, cache=True)
    assert len(seen) == 2 and len(entries(cache_home)) == 2


@pytest.mark.parametrize("damage", ["", "{not json", '{"format": "labcheck-labcache/1"}', "[1, 2]",
                                    "truncate", "bad-class"])
def test_a_corrupt_entry_is_ignored_and_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                cache_home: Path, damage: str) -> None:
    seen = validations(monkeypatch)
    lab = a_lab(tmp_path)
    good = dump(load_lab(lab, cache=True))
    [entry] = entries(cache_home)
    text = entry.read_text(encoding="utf-8")
    if damage == "truncate":
        text = text[: len(text) // 2]
    elif damage == "bad-class":
        text = text.replace("labcheck.checks.pod_state:Spec", "labcheck.checks.pod_state:Nope")
    else:
        text = damage
    entry.write_text(text, encoding="utf-8")
    labcache._loaded.clear()
    assert dump(load_lab(lab, cache=True)) == good
    assert len(seen) == 2
    labcache._loaded.clear()
    assert dump(load_lab(lab, cache=True)) == good and len(seen) == 2  # written again, good this time


def test_an_unwritable_cache_is_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert load_lab(a_lab(tmp_path), cache=True).id == "demo"


def run(*args: str, cache: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(cache), "LANG": "C.UTF-8", "HOME": str(cwd),
           "KUBECONFIG": str(cwd / "none")}
    return subprocess.run([sys.executable, "-X", "importtime", "-m", "labcheck", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


def test_the_grading_path_does_not_import_pydantic_once_the_lab_is_cached(tmp_path: Path,
                                                                           cache_home: Path) -> None:
    """`list`, `explain` and a quiz step: the first run validates (pydantic), the next ones do
    not import it, and print the same."""
    shutil.copy(ROOT / "scenarios" / "pods" / "solutions" / "quiz-answers.yaml", tmp_path / "labcheck-answers.yaml")
    for args in (["list"], ["explain", "step-04", "step-05"], ["step-01", "--no-progress", "-o", "json"]):
        first, second = run(*args, cache=cache_home, cwd=tmp_path), run(*args, cache=cache_home, cwd=tmp_path)
        assert first.returncode == second.returncode == 0, first.stderr[-3000:] + second.stderr[-3000:]
        assert " pydantic" in first.stderr or args[0] != "list"
        assert " pydantic" not in second.stderr, args
        strip = [line for line in second.stdout.splitlines() if '"started_at"' not in line and "duration" not in line]
        assert strip == [line for line in first.stdout.splitlines()
                         if '"started_at"' not in line and "duration" not in line]


def test_light_models_are_frozen_records_with_the_models_defaults() -> None:
    from labcheck.core import light

    class Thing(light.BaseModel):
        name: str = light.Field(description="n")
        size: int = light.Field(3, description="s")
        tags: list[str] = light.Field(default_factory=list, description="t")
        secret: str = light.Field("x", exclude=True, description="x")

    class Bigger(Thing):
        more: bool = True

    thing = Bigger(name="a")
    assert (thing.name, thing.size, thing.tags, thing.more) == ("a", 3, [], True)
    assert list(Bigger.model_fields) == ["name", "size", "tags", "secret", "more"]
    assert thing.model_dump(exclude_defaults=True) == {"name": "a"}
    assert thing == Bigger(name="a") and hash(thing) == hash(Bigger(name="a")) and thing != Bigger(name="b")
    with pytest.raises(TypeError):
        thing.name = "b"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Thing()


def test_an_entry_that_fails_after_the_light_models_were_chosen_is_rebuilt(tmp_path: Path,
                                                                             cache_home: Path) -> None:
    """Its JSON reads well, so the light models are chosen, but an object in it cannot be made:
    the run starts again with pydantic's, gives the same answer, and writes a good entry."""
    good = run("list", cache=cache_home, cwd=tmp_path)
    [entry] = entries(cache_home)
    entry.write_text(entry.read_text(encoding="utf-8").replace("labcheck.checks.quiz:Spec", "labcheck.checks.quiz:Gone"),
                     encoding="utf-8")
    again = run("list", cache=cache_home, cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == good.stdout, again.stderr[-2000:]
    assert "labcheck.checks.quiz:Gone" not in entry.read_text(encoding="utf-8")
    assert " pydantic" not in run("list", cache=cache_home, cwd=tmp_path).stderr
