"""Cluster access: everything that talks to a cluster lives here, and nothing else does.

Follows client-go's rules (what kubectl does) for KUBECONFIG, contexts, credentials, proxies,
TLS and in-cluster config, reads raw JSON with plain GETs, and turns every failure into a
ClusterError with a one-line reason that never carries credentials. The `kubernetes` package
is imported only for exec and port-forward (it frames their WebSocket protocol), lazily.

- kubeconfig.py: KUBECONFIG files read and merged; resolve.py: the context, checked as kubectl does
- credentials.py, exec_plugin.py: tokens, tokenFile, client certificates, credential plugins
- proxy.py, dial.py, transport.py: the route, the TLS trust, the requests
- config.py: connect(), Target; client.py: KubeCluster, the ClusterReader over an API server
- streams.py: exec and port-forward; http.py: plain HTTP from here (NodePorts)
- informer.py, watch.py: lists kept current by watches (--watch, the board), polling where refused
"""

from labcheck.kube.client import PAGE_SIZE, USER_AGENT, KubeCluster
from labcheck.kube.config import Target, connect
from labcheck.kube.streams import exec_status

__all__ = ["PAGE_SIZE", "USER_AGENT", "KubeCluster", "Target", "connect", "exec_status"]
