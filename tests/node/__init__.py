"""A real node for the test suite: kubelet, containerd, runc and kube-proxy beside the control plane."""
