"""`labcheck new-lab NAME`: a lab folder a course author can start from, with comments."""

from __future__ import annotations

import re
from pathlib import Path

from labcheck.errors import LabcheckError

LAB_YAML = """\
# yaml-language-server: $schema=./labcheck.schema.json
# A lab: its id, title (zh and en), the steps in order, defaults for every check.
id: {name}
title:
  zh: {name} 实验
  en: The {name} lab
description:
  zh: 这个实验要做什么（学生在 `labcheck list` 中看到）。
  en: What this lab is about (shown by `labcheck list`).
steps: [step-01]
defaults:
  timeout: 30      # seconds a check keeps looking before it reports what it saw last
  interval: 1      # seconds between two looks
  namespace: default
pass_threshold: 1.0  # fraction of the graded points needed to pass
"""

STEP_YAML = """\
# yaml-language-server: $schema=./labcheck.schema.json
# One step of the lab: `labcheck step-01` grades these checks.
# `labcheck explain step-01 --lab {name}` shows them; `labcheck validate {name}` checks this file.
id: step-01
title:
  zh: 创建一个 Pod
  en: Create a Pod
summary:
  zh: kubectl run web --image nginx:1.27
  en: kubectl run web --image nginx:1.27
checks:
  # Every check: id, kind, title (zh/en), optional hint, points (default 1), depends_on,
  # timeout, interval, plus the fields of its kind (`labcheck schema` lists them all).
  - id: web-running
    kind: pod_state
    name: web
    images: [nginx:1.27]        # docker.io/library/nginx:1.27 matches too
    points: 2
    title:
      zh: Pod web 使用 nginx:1.27 运行并就绪
      en: Pod web runs nginx:1.27 and is Ready
    hint:
      zh: 运行 `kubectl run web --image nginx:1.27`，然后 `kubectl get pod web`。
      en: Run `kubectl run web --image nginx:1.27`, then `kubectl get pod web`.
  - id: web-events
    kind: events_evidence     # still passes after the Pod is deleted
    name: web
    reasons: [Scheduled, Started]
    depends_on: [web-running]
    title:
      zh: 事件显示 Pod 被调度并启动
      en: Events show the Pod was scheduled and started
    hint:
      zh: "`kubectl describe pod web` 底部的 Events 说明了发生了什么。"
      en: "`kubectl describe pod web` lists the Events at the bottom: what happened."
"""

SOLUTION_SH = """\
#!/usr/bin/env bash
# Reference solution of step-01: what a learner types. `labcheck test-lab {name}` runs it in a fresh
# namespace (NAMESPACE, CONTEXT set; KUBECTL if you set it), grades step-01 and expects 100 %.
set -euo pipefail
k() {{ "${{KUBECTL:-kubectl}}" ${{CONTEXT:+--context "$CONTEXT"}} \\
        ${{NAMESPACE:+--namespace "$NAMESPACE"}} "$@"; }}
k run web --image nginx:1.27
k wait --for=condition=Ready pod/web --timeout=120s
"""

TESTS_YAML = """\
# yaml-language-server: $schema=./labcheck.tests.schema.json
# Mistakes learners make, for `labcheck test-lab {name} --allow-writes`: each runs in a fresh namespace
# (`kubectl` in commands is already pointed at it), then its step is graded until the outcomes show.
# Checks not named under `expect` must pass as after the solution (or be skipped behind one that does not).
mistakes:
  - name: wrong image tag
    step: step-01
    start: empty      # empty namespace; `previous` (default) runs the earlier steps' solutions first
    setup:
      commands: kubectl run web --image nginx:1.26
    expect:
      web-running: {{outcome: failed, message: pod.wrong_image}}
      # web-events depends on web-running: expected skipped
"""


def new_lab(name: str, parent: Path) -> Path:
    """Write NAME/lab.yaml, NAME/step-01.yaml, a reference solution, tests.yaml with one mistake and
    the JSON Schemas beside them; never overwrite."""
    from labcheck.labtests import labtests_schema_text
    from labcheck.schema import schema_text

    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise LabcheckError(f"lab name {name!r}: use lowercase letters, digits and '-'")
    folder = parent / name
    if folder.exists():
        raise LabcheckError(f"{folder}: already exists; choose another name or remove it")
    folder.mkdir(parents=True)
    (folder / "lab.yaml").write_text(LAB_YAML.format(name=name), encoding="utf-8")
    (folder / "step-01.yaml").write_text(STEP_YAML.format(name=name), encoding="utf-8")
    (folder / "labcheck.schema.json").write_text(schema_text(), encoding="utf-8")
    (folder / "labcheck.tests.schema.json").write_text(labtests_schema_text(), encoding="utf-8")
    (folder / "tests.yaml").write_text(TESTS_YAML.format(name=name), encoding="utf-8")
    (folder / "solutions").mkdir()
    script = folder / "solutions" / "step-01.sh"
    script.write_text(SOLUTION_SH.format(name=name), encoding="utf-8")
    script.chmod(0o755)
    return folder
