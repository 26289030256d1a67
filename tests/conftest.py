"""Shared pytest set-up: the local cluster fixtures (kube_cluster, namespace, kind_kube; real_cluster,
real_namespace on the real node) and markers."""

pytest_plugins = ["tests.cluster.plugin", "tests.node.plugin"]
