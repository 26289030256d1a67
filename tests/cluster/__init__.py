"""A disposable local Kubernetes control plane for the test suite (kwok + real kube-apiserver)."""
