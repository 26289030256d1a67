"""Fixtures shared by the end-to-end tests on the local control plane."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster.handle import KubeCluster
from tests.e2e.learner import Learner


@pytest.fixture
def learner(kube_cluster: KubeCluster, namespace: str, tmp_path: Path) -> Iterator[Learner]:
    """A learner in a fresh namespace who saves files in tmp_path; their NodePort servers stop after."""
    person = Learner(kube_cluster, namespace, tmp_path)
    yield person
    person.close()
