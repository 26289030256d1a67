#!/usr/bin/env bash
# Reference solution: the commands a learner types (shared/labs/pods/README.md).
# KUBECTL, KUBECONFIG, CONTEXT and NAMESPACE from the environment are honoured, so tests can run it anywhere.
set -euo pipefail
k() { "${KUBECTL:-kubectl}" ${CONTEXT:+--context "$CONTEXT"} ${NAMESPACE:+--namespace "$NAMESPACE"} "$@"; }
cd "${FILES_DIR:-.}"
k get pod my-first-pod -o yaml > my-first-pod.yaml
k get service my-first-service -o yaml > my-first-service.yaml
