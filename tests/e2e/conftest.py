"""Fixtures shared by the end-to-end tests on the local control plane."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster.handle import KubeCluster
from tests.e2e.learner import Learner


@pytest.fixture
def learner(real_cluster: KubeCluster, real_namespace: str, tmp_path: Path) -> Iterator[Learner]:
    """A learner on the real node, in a fresh namespace, who saves files in tmp_path."""
    person = Learner(real_cluster, real_namespace, tmp_path)
    yield person
    person.close()


@pytest.fixture
def kwok_learner(kube_cluster: KubeCluster, namespace: str, tmp_path: Path) -> Iterator[Learner]:
    """A learner on the kwok cluster (states on demand, scale); their NodePort servers stop after."""
    person = Learner(kube_cluster, namespace, tmp_path)
    yield person
    person.close()
