"""Shared pytest set-up: the local cluster fixtures (kube_cluster, namespace, kind_kube) and markers."""

pytest_plugins = ["tests.cluster.plugin"]
