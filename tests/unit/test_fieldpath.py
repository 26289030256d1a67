"""Field matchers used by object_exists (plain data)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from labcheck.checks.fieldpath import FieldMatch, values_at
from labcheck.core.i18n import msg

POD = {"spec": {"volumes": [{"name": "shared", "emptyDir": {}}],
                "containers": [{"name": "web", "image": "nginx:1.27",
                                "volumeMounts": [{"name": "shared", "mountPath": "/usr/share/nginx/html"}]},
                               {"name": "sidecar", "image": "busybox:1.36",
                                "volumeMounts": [{"name": "shared", "mountPath": "/data"}]}]}}


def test_values_at_walks_lists_and_indexes() -> None:
    assert list(values_at(POD, "spec.containers.*.image")) == ["nginx:1.27", "busybox:1.36"]
    assert list(values_at(POD, "spec.containers.1.name")) == ["sidecar"]
    assert list(values_at(POD, "spec.nothing.here")) == []


def test_match_counts_values() -> None:
    both_mount = FieldMatch(path="spec.containers.*.volumeMounts.*.name", equals="shared", min_matches=2)
    assert both_mount.check(POD)[0]
    assert FieldMatch(path="spec.volumes.*.emptyDir").check(POD)[0]
    missing = FieldMatch(path="spec.volumes.*.hostPath")
    satisfied, want, have = missing.check(POD)
    assert not satisfied and want == msg("value.present") and have == msg("value.missing")
    assert (want.get("en"), have.get("zh")) == ("present", "<缺失>")  # type: ignore[union-attr]
    wrong = FieldMatch(path="spec.containers.*.image", pattern=r"^nginx:1\.25")
    ok, want, actual = wrong.check(POD)
    assert not ok and want == "~ /^nginx:1\\.25/" and actual == "nginx:1.27, busybox:1.36"
    assert FieldMatch(path="spec.containers.*.image", pattern="redis", min_matches=0).check(POD)[0]


def test_bad_matchers_are_spec_errors() -> None:
    with pytest.raises(ValidationError, match="regular expression"):
        FieldMatch(path="a.b", pattern="(")
    with pytest.raises(ValidationError, match="not both"):
        FieldMatch(path="a.b", pattern="x", equals="y")
    with pytest.raises(ValidationError, match="dotted keys"):
        FieldMatch(path="a..b")
