from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from labcheck.checks import manifest_file, quiz
from labcheck.checks.manifest_file import MAX_FILE_BYTES
from labcheck.core.results import Finding, Outcome, localized
from tests.unit.fakes import FakeCluster, context, pod, service


def man_spec(**kw: object) -> manifest_file.Spec:
    base = {"id": "pod-yaml", "kind": "manifest_file", "title": "t", "path": "my-first-pod.yaml",
            "object_kind": "Pod", "name": "my-first-pod", "fields": ["spec.containers.0.image"]}
    return manifest_file.Spec.model_validate({**base, **kw})


def check_manifest(tmp_path: Path, cluster: FakeCluster, **kw: object) -> Finding:
    return manifest_file.evaluate(man_spec(**kw), context(cluster, tmp_path))


def save(tmp_path: Path, obj: Any, name: str = "my-first-pod.yaml") -> None:
    (tmp_path / name).write_text(yaml.safe_dump(obj), encoding="utf-8")


def test_saved_yaml_of_live_pod_passes(tmp_path: Path) -> None:
    save(tmp_path, pod())
    f = check_manifest(tmp_path, FakeCluster({"Pod": [pod()]}))
    assert f.outcome is Outcome.PASSED and f.evidence == {"uid": "uid-pod-1", "file": "my-first-pod.yaml"}


def test_missing_file_is_pending(tmp_path: Path) -> None:
    f = check_manifest(tmp_path, FakeCluster({"Pod": [pod()]}))
    assert f.outcome is Outcome.PENDING and str(tmp_path) in f.message.en


def test_stale_uid_fails(tmp_path: Path) -> None:
    save(tmp_path, pod(uid="uid-old"))
    f = check_manifest(tmp_path, FakeCluster({"Pod": [pod(uid="uid-new")]}))
    assert f.outcome is Outcome.FAILED and "stale" in f.message.en
    assert f.expected == {"uid": "uid-new"} and f.actual == {"uid": "uid-old"}
    save(tmp_path, pod(uid="uid-old"))
    f = check_manifest(tmp_path, FakeCluster({"Pod": [pod(uid="uid-new")]}), same_uid=False)
    assert f.outcome is Outcome.PASSED


def test_hand_written_manifest_without_uid_fails(tmp_path: Path) -> None:
    written = pod()
    del written["metadata"]["uid"]
    save(tmp_path, written)
    f = check_manifest(tmp_path, FakeCluster({"Pod": [pod()]}))
    assert f.outcome is Outcome.FAILED and "kubectl get -o yaml" in f.message.en


def test_not_yaml_fails_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "my-first-pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: name: x\n",
                                                encoding="utf-8")
    f = check_manifest(tmp_path, FakeCluster({"Pod": [pod()]}))
    assert f.outcome is Outcome.FAILED
    assert f.message.en.startswith("my-first-pod.yaml:3: not valid YAML: mapping values are not allowed here")
    assert f.message.zh.startswith("my-first-pod.yaml:3：不是有效的 YAML：此处不允许出现映射值")
    assert f.message.zh.startswith("my-first-pod.yaml:3：")


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "apiVersion: v1\n"])
def test_not_an_object_fails(tmp_path: Path, text: str) -> None:
    (tmp_path / "my-first-pod.yaml").write_text(text, encoding="utf-8")
    f = check_manifest(tmp_path, FakeCluster({"Pod": [pod()]}))
    assert f.outcome is Outcome.FAILED and "not a Kubernetes object" in f.message.en


def test_empty_file_fails(tmp_path: Path) -> None:
    (tmp_path / "my-first-pod.yaml").write_text("", encoding="utf-8")
    f = check_manifest(tmp_path, FakeCluster({"Pod": [pod()]}))
    assert f.outcome is Outcome.FAILED and "empty" in f.message.en


def test_several_documents_fail(tmp_path: Path) -> None:
    (tmp_path / "my-first-pod.yaml").write_text(yaml.safe_dump_all([pod(), service()]), encoding="utf-8")
    f = check_manifest(tmp_path, FakeCluster({"Pod": [pod()]}))
    assert f.outcome is Outcome.FAILED and f.actual == {"objects": "2"}


def test_list_of_one_item_is_accepted_but_not_of_two(tmp_path: Path) -> None:
    save(tmp_path, {"apiVersion": "v1", "kind": "List", "items": [pod()], "metadata": {}})
    assert check_manifest(tmp_path, FakeCluster({"Pod": [pod()]})).outcome is Outcome.PASSED
    save(tmp_path, {"apiVersion": "v1", "kind": "List", "items": [pod(), pod("b")]})
    assert check_manifest(tmp_path, FakeCluster({"Pod": [pod()]})).outcome is Outcome.FAILED


def test_other_object_fails(tmp_path: Path) -> None:
    save(tmp_path, service())
    f = check_manifest(tmp_path, FakeCluster({"Pod": [pod()]}))
    assert f.outcome is Outcome.FAILED
    assert f.expected == {"kind": "Pod", "name": "my-first-pod"}
    assert f.actual == {"kind": "Service", "name": "my-first-service"}


def test_live_object_missing_is_pending(tmp_path: Path) -> None:
    save(tmp_path, pod())
    assert check_manifest(tmp_path, FakeCluster()).outcome is Outcome.PENDING


def test_field_mismatch_shows_live_vs_file(tmp_path: Path) -> None:
    svc = service()
    edited = service()
    edited["spec"]["ports"][0]["nodePort"] = 30001
    save(tmp_path, edited, "svc.yaml")
    f = check_manifest(tmp_path, FakeCluster({"Service": [svc]}), path="svc.yaml", object_kind="Service",
                       name="my-first-service", fields=["spec.type", "spec.ports.0.nodePort", "spec.nope.0"])
    assert f.outcome is Outcome.FAILED
    assert f.expected == {"spec.ports.0.nodePort": "31234"} and f.actual == {"spec.ports.0.nodePort": "30001"}
    assert "spec.ports.0.nodePort" in f.message.en


def test_too_big_file_fails(tmp_path: Path) -> None:
    (tmp_path / "my-first-pod.yaml").write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    f = check_manifest(tmp_path, FakeCluster({"Pod": [pod()]}))
    assert f.outcome is Outcome.FAILED and str(MAX_FILE_BYTES) in f.message.en


def test_directory_and_binary_fail(tmp_path: Path) -> None:
    (tmp_path / "my-first-pod.yaml").mkdir()
    assert check_manifest(tmp_path, FakeCluster({"Pod": [pod()]})).outcome is Outcome.FAILED
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe\x00")
    f = check_manifest(tmp_path, FakeCluster({"Pod": [pod()]}), path="bin.yaml")
    assert f.outcome is Outcome.FAILED and "UTF-8" in f.message.en


@pytest.mark.parametrize("bad", [{"path": "/etc/passwd"}, {"path": "../x.yaml"}, {"path": "a/../../x"},
                                 {"path": "C:\\x.yaml"}, {"path": ""}, {"object_kind": "Pods"},
                                 {"fields": ["spec..image"]}])
def test_manifest_spec_rejects_bad_fields(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        man_spec(**bad)


# quiz

def quiz_spec(**kw: object) -> quiz.Spec:
    base = {"id": "pod-smallest-unit", "kind": "quiz", "title": "t", "question": "q?",
            "choices": [{"id": c, "text": c.upper()} for c in "abcd"], "answer": ["b"]}
    return quiz.Spec.model_validate({**base, **kw})


def answer(tmp_path: Path, text: str | None, **kw: object) -> Finding:
    if text is not None:
        (tmp_path / "labcheck-answers.yaml").write_text(text, encoding="utf-8")
    return quiz.evaluate(quiz_spec(**kw), context(FakeCluster(), tmp_path))


def test_quiz_needs_no_cluster_and_looks_once() -> None:
    assert quiz.Spec.needs_cluster is False and quiz.Spec.polls is False


def test_quiz_right_and_wrong(tmp_path: Path) -> None:
    f = answer(tmp_path, "pod-smallest-unit: b\n")
    assert f.outcome is Outcome.PASSED and f.evidence["answer"] == "b"
    f = answer(tmp_path, "pod-smallest-unit: c\n")
    assert f.outcome is Outcome.FAILED
    # the right choice is never in `expected`: reports show it to the student
    assert localized(f.expected, "en") == {"answer": "one of a, b, c, d"} and f.actual == {"answer": "c"}
    assert "b" not in f.message.en.replace("labcheck", "")


def test_quiz_unanswered_is_pending_with_how_to(tmp_path: Path) -> None:
    f = answer(tmp_path, None)
    assert f.outcome is Outcome.PENDING
    assert "`pod-smallest-unit: a|b|c|d`" in f.message.en and "labcheck-answers.yaml" in f.message.zh
    f = answer(tmp_path, "other-question: a\n")
    assert f.outcome is Outcome.PENDING
    assert answer(tmp_path, "").outcome is Outcome.PENDING
    assert answer(tmp_path, "pod-smallest-unit:\n").outcome is Outcome.PENDING


def test_quiz_nested_by_step(tmp_path: Path) -> None:
    text = "step-03:\n  nodeport-range: b\nstep-01:\n  pod-smallest-unit: b\n"
    assert answer(tmp_path, text).outcome is Outcome.PASSED
    assert answer(tmp_path, "step-01: {pod-smallest-unit: a}\n").outcome is Outcome.FAILED
    # the top level wins over a nested answer
    both = "pod-smallest-unit: b\nstep-01: {pod-smallest-unit: a}\n"
    assert answer(tmp_path, both).outcome is Outcome.PASSED


@pytest.mark.parametrize("text", ["q: [a, c]\n", "q: a,c\n", "q: 'c, a'\n", "q: A C\n"])
def test_quiz_multi_answer_is_set_equality(tmp_path: Path, text: str) -> None:
    assert answer(tmp_path, text, id="q", answer=["a", "c"]).outcome is Outcome.PASSED


def test_quiz_multi_answer_partial_fails_and_hint_says_several(tmp_path: Path) -> None:
    f = answer(tmp_path, "q: a\n", id="q", answer=["a", "c"])
    assert f.outcome is Outcome.FAILED and localized(f.expected, "en") == {"answer": "every right choice of a, b, c, d"}
    assert "a,c" in answer(tmp_path, "x: a\n", id="q", answer=["a", "c"]).message.en


def test_quiz_unknown_choice_fails(tmp_path: Path) -> None:
    f = answer(tmp_path, "pod-smallest-unit: z\n")
    assert f.outcome is Outcome.FAILED and "z" in f.message.en and "a, b, c, d" in f.message.en


def test_quiz_bad_yaml_names_file_and_line(tmp_path: Path) -> None:
    f = answer(tmp_path, "pod-smallest-unit: b\npod-shared-network: [a\n")
    assert f.outcome is Outcome.FAILED
    assert f.message.en.startswith("labcheck-answers.yaml:3: not valid YAML")
    f = answer(tmp_path, "- b\n")
    assert f.outcome is Outcome.FAILED and "labcheck-answers.yaml" in f.message.en


def test_quiz_other_answers_file(tmp_path: Path) -> None:
    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / "mine.yml").write_text("pod-smallest-unit: b\n", encoding="utf-8")
    assert answer(tmp_path, None, answers_file="answers/mine.yml").outcome is Outcome.PASSED


@pytest.mark.parametrize("bad", [{"answer": ["e"]}, {"answer": []}, {"answer": ["b", "b"]},
                                 {"choices": [{"id": "a", "text": "A"}]},
                                 {"choices": [{"id": "a", "text": "A"}, {"id": "a", "text": "B"}]},
                                 {"answers_file": "../answers.yaml"}])
def test_quiz_spec_rejects_bad_fields(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        quiz_spec(**bad)


def test_quiz_answer_is_not_dumped_for_explain() -> None:
    assert "answer" not in quiz_spec().model_dump()
