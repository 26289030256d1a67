"""What a Pod's status says about its containers, as the real kubelet writes it (pod_state reads it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from labcheck.core.i18n import Text, msg

FAILING_WAIT_REASONS = {"ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull",
                        "CrashLoopBackOff", "CreateContainerConfigError", "CreateContainerError",
                        "RunContainerError"}


def crashing(cstatus: dict[str, Any]) -> tuple[int, str] | None:
    """(exit code, reason) of a container that keeps failing: the kubelet shows it as terminated with
    an error between restarts, and as waiting in CrashLoopBackOff once the back-off has grown."""
    state, last = cstatus.get("state") or {}, cstatus.get("lastState") or {}
    terminated = state.get("terminated") or {}
    if terminated and int(terminated.get("exitCode", 0)) != 0:
        return int(terminated.get("exitCode", 0)), str(terminated.get("reason") or "Error")
    if (state.get("waiting") or {}).get("reason") == "CrashLoopBackOff":
        before = last.get("terminated") or {}
        return int(before.get("exitCode", 0)), str(before.get("reason") or "CrashLoopBackOff")
    return None


STABLE_SECONDS = 10  # a container that crashed before must stay up this long before it counts as running


def restarted_recently(cstatus: dict[str, Any], now: dt.datetime) -> tuple[int, float] | None:
    """(last exit code, seconds up) of a container running again after failing: between two crashes
    the kubelet shows a crash-looping container as running (and Ready, without a probe)."""
    before = ((cstatus.get("lastState") or {}).get("terminated") or {})
    started = ((cstatus.get("state") or {}).get("running") or {}).get("startedAt")
    if not before or int(before.get("exitCode", 0)) == 0 or not started:
        return None
    try:
        up = (now - dt.datetime.fromisoformat(str(started).replace("Z", "+00:00"))).total_seconds()
    except ValueError:
        return None
    return (int(before.get("exitCode", 0)), up) if 0 <= up < STABLE_SECONDS else None


def init_failure(pod: dict[str, Any]) -> tuple[str, Text, int] | None:
    """(container, what went wrong, restarts) of the first init container that cannot finish."""
    for status in pod.get("status", {}).get("initContainerStatuses") or []:
        name, restarts = str(status.get("name")), int(status.get("restartCount", 0))
        waiting = (status.get("state") or {}).get("waiting") or {}
        crash = crashing(status)
        if crash:
            return name, msg("value.exit_code", code=crash[0], reason=crash[1]), restarts
        if waiting.get("reason") in FAILING_WAIT_REASONS:
            return name, Text.same(str(waiting["reason"])), restarts
    return None


def condition(pod: dict[str, Any], kind: str) -> dict[str, Any]:
    for cond in pod.get("status", {}).get("conditions") or []:
        if cond.get("type") == kind:
            return dict(cond)
    return {}
