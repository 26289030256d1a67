#!/usr/bin/env bash
# Reference solution: the commands a learner types (shared/labs/pods/README.md).
# KUBECTL, KUBECONFIG, CONTEXT and NAMESPACE from the environment are honoured, so tests can run it anywhere.
set -euo pipefail
k() { "${KUBECTL:-kubectl}" ${CONTEXT:+--context "$CONTEXT"} ${NAMESPACE:+--namespace "$NAMESPACE"} "$@"; }
k get all
k delete svc my-first-service my-first-service2
k delete pod my-first-pod --wait=true
