"""Authoring and admin commands as a user runs them: new-lab, validate, rbac, completion."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.unit.test_cli import labcheck


def test_new_lab_scaffold_validates_and_explains(tmp_path: Path) -> None:
    out = labcheck("new-lab", "demo", "--dir", str(tmp_path))
    assert out.returncode == 0, out.stderr
    lab = tmp_path / "demo"
    assert sorted(p.name for p in lab.iterdir()) == ["lab.yaml", "labcheck.schema.json",
                                                      "labcheck.tests.schema.json", "solutions",
                                                      "step-01.yaml", "tests.yaml"]
    assert labcheck("validate", str(lab)).returncode == 0
    linted = labcheck("lint", str(lab))  # the scaffold is what lint asks for: a solution, a mistake
    assert linted.returncode == 0 and "no problems found" in linted.stdout, linted.stdout
    assert (lab / "solutions" / "step-01.sh").stat().st_mode & 0o111
    out = labcheck("explain", "step-01", "--lab", str(lab))
    assert out.returncode == 0 and "web-running" in out.stdout
    again = labcheck("new-lab", "demo", "--dir", str(tmp_path))
    assert again.returncode == 2 and "already exists" in again.stderr


def test_second_lab_validates() -> None:
    out = labcheck("validate", "scenarios/sidecar", "scenarios/pods")
    assert out.returncode == 0, out.stderr


def test_validate_names_file_line_and_field(tmp_path: Path) -> None:
    labcheck("new-lab", "broken", "--dir", str(tmp_path))
    step = tmp_path / "broken" / "step-01.yaml"
    step.write_text(step.read_text(encoding="utf-8").replace("    points: 2\n", "    points: two\n"),
                    encoding="utf-8")
    out = labcheck("validate", str(tmp_path / "broken"))
    assert out.returncode == 2
    line = next(i for i, t in enumerate(step.read_text(encoding="utf-8").splitlines(), 1) if "two" in t)
    assert f"step-01.yaml:{line}: checks[0].points:" in out.stderr, out.stderr
    assert "Traceback" not in out.stderr


def rules(text: str) -> dict[str, set[str]]:
    """resource -> verbs, over every Role and ClusterRole in the output."""
    found: dict[str, set[str]] = {}
    for doc in yaml.safe_load_all(text):
        for rule in doc.get("rules", []) if doc else []:
            for resource in rule["resources"]:
                found.setdefault(resource, set()).update(rule["verbs"])
    return found


def test_rbac_grants_only_what_the_steps_read() -> None:
    step2 = rules(labcheck("rbac", "step-02", "-n", "lab").stdout)
    assert step2["pods"] == {"get", "list", "watch"} and step2["events"] == {"get", "list", "watch"}
    assert "nodes" in step2 and "pods/exec" not in step2 and "pods/log" not in step2
    step5 = rules(labcheck("rbac", "step-05").stdout)
    assert step5["pods/exec"] == {"create", "get"} and step5["pods/log"] == {"get"}
    every = rules(labcheck("rbac", "--all", "--service-account", "grader").stdout)
    writes = {"update", "patch", "delete", "deletecollection"}
    assert all(not verbs & writes for verbs in every.values())
    assert all("create" not in verbs for r, verbs in every.items() if r not in ("pods/exec", "pods/portforward"))


def test_shell_completion_offers_step_ids() -> None:
    env = {"_LABCHECK_COMPLETE": "bash_complete", "COMP_WORDS": "labcheck explain step-0",
           "COMP_CWORD": "2"}
    out = labcheck(env=env)
    assert "step-04" in out.stdout and "step-07" in out.stdout, out.stdout + out.stderr


def test_zsh_and_fish_completion_scripts() -> None:
    for shell, marker in (("zsh", "compdef"), ("fish", "complete")):
        out = labcheck(env={"_LABCHECK_COMPLETE": f"{shell}_source"})
        assert out.returncode == 0 and marker in out.stdout and "_LABCHECK_COMPLETE" in out.stdout, shell


def test_every_option_reads_an_environment_variable() -> None:
    out = labcheck("rbac", "step-02", env={"LABCHECK_RBAC_SERVICE_ACCOUNT": "from-env"})
    assert out.returncode == 0 and "name: from-env" in out.stdout, out.stderr
