"""labcheck: grade Kubernetes lab exercises against a real cluster."""

__version__ = "0.1.0"
