"""Cluster access: the only package that imports `kubernetes` (lazily: it is slow to import).

Reads raw JSON (plain GETs through grader/rest.py, or the client's REST layer), follows
kubectl's rules for KUBECONFIG, contexts and in-cluster config, and turns every failure into a
ClusterError with a one-line reason that never carries credentials.

- config.py: connect(), Target: credentials the way kubectl finds them
- client.py: KubeCluster, the ClusterReader over a real API server
- streams.py: exec and port-forward over the API server's WebSockets
"""

from labcheck.kube.client import PAGE_SIZE, USER_AGENT, KubeCluster
from labcheck.kube.config import Target, connect
from labcheck.kube.streams import exec_status

__all__ = ["PAGE_SIZE", "USER_AGENT", "KubeCluster", "Target", "connect", "exec_status"]
