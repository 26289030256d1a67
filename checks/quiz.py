"""quiz: an answer in a local file, for steps that are reading only.

Graded without a cluster. Answers are keyed by check id, at the top of the file or under a
step id (`step-01: {pod-smallest-unit: b}`): the check does not know its step, so it looks
at the top level first, then in every nested mapping.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from labcheck.checks.base import ID_PATTERN, CheckSpec, EvalContext, relative_path
from labcheck.checks.manifest_file import load_small_yaml
from labcheck.checks.nearby import near_miss
from labcheck.core.i18n import Text, msg, register_messages
from labcheck.core.model import BaseModel, ConfigDict, Field, field_validator, model_validator
from labcheck.core.record import replace
from labcheck.core.results import Finding, Outcome

register_messages({
    # what this kind checks, for `labcheck explain` in the learner's language
    "kind.quiz": {"en": "An answer in labcheck-answers.yaml.",
                  "zh": "labcheck-answers.yaml 中的答案。"},
    "quiz.unanswered": {
        "en": "not answered yet: put `{id}: {choices}` (your choice) in {file}",
        "zh": "还没有作答：在 {file} 中写上 `{id}: {choices}`（选一个）",
    },
    "quiz.unanswered_multi": {
        "en": "not answered yet: put `{id}: a,c` (every right choice of {choices}) in {file}",
        "zh": "还没有作答：在 {file} 中写上 `{id}: a,c`（从 {choices} 中选出所有正确项）",
    },
    "quiz.unreadable": {"en": "{path}: {problem}", "zh": "{path}：{problem}"},
    "quiz.too_big": {"en": "{path} is larger than {limit} bytes", "zh": "{path} 超过 {limit} 字节"},
    "quiz.bad_yaml": {"en": "{path}:{line}: not valid YAML: {problem}",
                      "zh": "{path}:{line}：不是有效的 YAML：{problem}"},
    "quiz.not_mapping": {
        "en": "{path} must map question ids to answers, like `{id}: b`",
        "zh": "{path} 应当是“题目 id: 答案”的映射，例如 `{id}: b`",
    },
    "quiz.unknown": {
        "en": "answer {given} is not among the choices {choices}",
        "zh": "答案 {given} 不在选项 {choices} 之中",
    },
    "quiz.wrong": {"en": "answer {given} is not right", "zh": "答案 {given} 不正确"},
    "quiz.near_key": {
        "en": "no answer under `{id}` in {file}, but there is `{found}`: did you mean `{id}`? "
              "(write the key exactly: `{id}: {answer}`)",
        "zh": "{file} 中没有 `{id}` 的答案，但有 `{found}`：是不是想写 `{id}`？"
              "（键要完全一致：`{id}: {answer}`）",
    },
    "quiz.file_hint": {
        "en": "Fix {file} first: one answer per line at the left edge, like `{id}: b` (spaces, not tabs; "
              "close every quote and bracket). Every quiz question reads this file.",
        "zh": "先修改 {file}：每行一个答案，从行首写起，例如 `{id}: b`（用空格，不用 Tab；"
              "引号和括号要成对）。所有测验题都读取这个文件。",
    },
    "quiz.ok": {"en": "answer {given} is right", "zh": "答案 {given} 正确"},
})


class Choice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Choice id the learner writes (a, b, c, ...).", pattern=ID_PATTERN)
    text: Text = Field(description="The choice as the learner reads it (zh and en).")


class Spec(CheckSpec):
    kind: Literal["quiz"] = Field(description="An answer to a question, read from a local file.")
    question: Text = Field(description="The question (zh and en).")
    choices: list[Choice] = Field(min_length=2, description="The choices, each with a unique id.")
    # exclude: `labcheck explain` dumps the spec for learners, and must not print the answer.
    answer: list[str] = Field(min_length=1, exclude=True,
                              description="Ids of the right choices (all of them, no others).")
    answers_file: str = Field(
        "labcheck-answers.yaml", description="Answers file, relative to the files folder (--files)."
    )

    polls: ClassVar[bool] = False
    needs_cluster: ClassVar[bool] = False

    @field_validator("answers_file")
    @classmethod
    def _relative(cls, value: str) -> str:
        return relative_path(value)

    @model_validator(mode="after")
    def _consistent(self) -> Spec:
        ids = [c.id for c in self.choices]
        if len(set(ids)) != len(ids):
            raise ValueError(f"choice ids must be unique: {', '.join(ids)}")
        unknown = [a for a in self.answer if a not in ids]
        if unknown:
            raise ValueError(f"answer {', '.join(unknown)} is not a choice id ({', '.join(ids)})")
        if len(set(self.answer)) != len(self.answer):
            raise ValueError("answer lists a choice twice")
        return self


def find_answer(data: dict[Any, Any], check_id: str) -> Any:
    """The answer under the check id at the top level, else under it in any nested mapping."""
    if check_id in data and not isinstance(data[check_id], dict):
        return data[check_id]
    for value in data.values():
        if isinstance(value, dict) and check_id in value:
            return value[check_id]
    return None


def _near_key(data: dict[Any, Any], check_id: str, taken: frozenset[str]) -> tuple[str, Any] | None:
    """A key that is almost the check id (`pod_smallest_unit`, `Pod-Smallest-Unit`, one typo), with its
    value, at the top or one level down; other questions' ids (in `taken`) are not typos."""
    pairs = [(k, v) for k, v in data.items() if not isinstance(v, dict)]
    pairs += [(k, v) for inner in data.values() if isinstance(inner, dict) for k, v in inner.items()]
    keys = {str(k): v for k, v in pairs if str(k) not in taken}
    for key, value in keys.items():
        if key.lower().replace("_", "-").replace(" ", "-").strip("-") == check_id:
            return key, value
    close = near_miss(check_id, list(keys), taken)
    return (close, keys[close]) if close is not None else None


def parse_answer(value: Any) -> list[str]:
    """`b`, `a,c`, `a c` or [a, c] -> ["a", "c"]; YAML may hand back ints or bools for bare words."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if item is None or isinstance(item, dict | list):
            continue
        for part in re.split(r"[,\s]+", str(item).strip().lower()):
            if part and part not in out:
                out.append(part)
    return out


def _yaml_kind(data: Any) -> Text:
    name = type(data).__name__
    return msg(f"value.yaml.{name}") if name in ("list", "str") else msg("value.yaml.other", type=name)


def evaluate(spec: Spec, ctx: EvalContext) -> Finding:
    shown = spec.answers_file
    ids = [c.id for c in spec.choices]
    docs, problem = load_small_yaml(ctx.files_dir / spec.answers_file, shown, "quiz", multi=False)
    file_hint = msg("quiz.file_hint", file=shown, id=spec.id)
    if problem is not None:  # the file is the problem, not the question: its hint, not the study hint
        return replace(problem, hint=file_hint)
    data = docs[0] if docs else {}
    if not isinstance(data, dict):
        return Finding(Outcome.FAILED, msg("quiz.not_mapping", path=shown, id=spec.id),
                       {"file": msg("value.mapping")}, {"file": _yaml_kind(data)}, hint=file_hint)
    given = parse_answer(find_answer(data, spec.id))
    near = None if given else _near_key(data, spec.id, ctx.extra.get("lab_names", frozenset()))
    if near is not None:
        found, value = near
        return Finding(Outcome.PENDING, msg("quiz.near_key", id=spec.id, found=found, file=shown,
                                            answer=",".join(parse_answer(value)) or "b"),
                       {"answer": msg("value.one_of", choices=", ".join(ids))}, {"answer": "-"},
                       hint=file_hint)
    if not given:
        key = "quiz.unanswered_multi" if len(spec.answer) > 1 else "quiz.unanswered"
        return Finding(Outcome.PENDING, msg(key, id=spec.id, choices="|".join(ids), file=shown),
                       {"answer": msg("value.one_of", choices=", ".join(ids))}, {"answer": "-"})
    # never the right choice: reports, JSON and JUnit show `expected` to the student
    key = "value.every_of" if len(spec.answer) > 1 else "value.one_of"
    expected = {"answer": msg(key, choices=", ".join(ids))}
    actual = {"answer": ",".join(sorted(given))}
    evidence = {"file": shown, "answer": ",".join(given)}
    unknown = [g for g in given if g not in ids]
    if unknown:
        return Finding(Outcome.FAILED,
                       msg("quiz.unknown", given=",".join(unknown), choices=", ".join(ids)),
                       expected, actual, evidence)
    if set(given) != set(spec.answer):
        return Finding(Outcome.FAILED, msg("quiz.wrong", given=actual["answer"]), expected, actual, evidence)
    return Finding(Outcome.PASSED, msg("quiz.ok", given=actual["answer"]), expected, actual, evidence)
