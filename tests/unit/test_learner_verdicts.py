"""Wrong or misleading verdicts a learner met walking through the Pods lab (issue 14), each graded the
way `labcheck STEP` does it (run_lab on the built-in lab) and read in both languages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from labcheck.core.i18n import Lang
from labcheck.core.results import CheckResult, Outcome, RunResult
from labcheck.loader import load_lab
from labcheck.reporters import REPORTERS, ReportOptions
from labcheck.runner import RunOptions, run_lab
from tests.unit.fakes import FakeCluster, event, pod, service
from tests.unit.test_runner import Clock

LANGS: tuple[Lang, ...] = ("en", "zh")


def grade(step: str, cluster: FakeCluster | None = None, files: Path = Path("."), **options: Any) -> RunResult:
    clock = Clock()
    return run_lab(load_lab("pods"), [step], cluster or FakeCluster(),
                   RunOptions(namespace="default", files_dir=files, wait=0, **options),
                   clock=clock, sleep=clock.sleep)


def found(result: RunResult, check_id: str) -> CheckResult:
    return next(c for c in result.checks if c.check_id == check_id)


def text(result: RunResult, lang: Lang) -> str:
    return REPORTERS["text"](result, ReportOptions(lang=lang))


def test_a_broken_answers_file_shows_the_file_hint_only(tmp_path: Path) -> None:
    (tmp_path / "labcheck-answers.yaml").write_text("pod-smallest-unit: b\n  pod-shared-network: a\n",
                                                    encoding="utf-8")
    result = grade("step-01", files=tmp_path)
    spec_hints = {c.id: c.hint for c in load_lab("pods").step("step-01").checks}
    for check in result.checks:
        assert check.outcome is Outcome.FAILED and check.message_id == "quiz.bad_yaml"
        assert check.hint is not None and check.hint != spec_hints[check.check_id]
    for lang in LANGS:
        report = text(result, lang)
        assert "labcheck-answers.yaml:2" in report
        assert all(hint is not None and hint.get(lang) not in report for hint in spec_hints.values()), report
        assert "`pod-smallest-unit: b`" in report and ("Tab" in report or "tabs" in report)
    (tmp_path / "labcheck-answers.yaml").write_text("- b\n", encoding="utf-8")
    not_mapping = found(grade("step-01", files=tmp_path), "pod-smallest-unit")
    assert not_mapping.message_id == "quiz.not_mapping" and not_mapping.hint is not None
    assert not_mapping.hint.key == "quiz.file_hint"


def test_an_image_given_by_digest_only_says_a_digest_cannot_match_a_tag() -> None:
    digest = "stacksimplify/kubenginx@sha256:" + "ab" * 32
    result = grade("step-04", FakeCluster({"Pod": [pod(image=digest)]}))
    check = found(result, "pod-running")
    assert (check.outcome, check.message_id) == (Outcome.FAILED, "pod.digest_only")
    for lang, words in (("en", "cannot be matched to a tag"), ("zh", "摘要无法对应到标签")):
        message = check.message.get(lang)
        assert words in message and digest in message
        assert "`kubectl run my-first-pod --image stacksimplify/kubenginx:1.0.0`" in message
        assert "jsonpath='{.status.containerStatuses[0].imageID}'" in message


def test_clean_up_finds_a_left_over_service_by_its_selector_not_only_its_labels() -> None:
    """`kubectl run my-first-pod --expose --port 80` makes a Service with no labels, selecting the Pod."""
    exposed = service("my-first-pod", type="ClusterIP")
    exposed["metadata"].pop("labels")
    other = service("unrelated", selector={"app": "web"})
    other["metadata"].pop("labels")
    default = service("kubernetes", type="ClusterIP", selector={})
    default["metadata"].pop("labels")
    gone = [event("Pod", "my-first-pod", "Killing")]
    result = grade("step-07", FakeCluster({"Service": [exposed, other, default], "Event": gone}))
    check = found(result, "nothing-left")
    assert (check.outcome, check.message_id) == (Outcome.PENDING, "absent.present")
    assert check.actual == {"left": "my-first-pod"}
    result = grade("step-07", FakeCluster({"Service": [other, default], "Event": gone}))
    assert found(result, "nothing-left").outcome is Outcome.PASSED
