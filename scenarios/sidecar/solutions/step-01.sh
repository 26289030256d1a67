#!/usr/bin/env bash
# Reference solution for step-01 of the sidecar lab (KUBECTL, KUBECONFIG, CONTEXT, NAMESPACE honoured).
set -euo pipefail
k() { "${KUBECTL:-kubectl}" ${CONTEXT:+--context "$CONTEXT"} ${NAMESPACE:+--namespace "$NAMESPACE"} "$@"; }
k apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: web-with-sidecar
  labels: {app: web-with-sidecar}
spec:
  volumes:
    - name: html
      emptyDir: {}
  containers:
    - name: web
      image: nginx:1.27
      ports: [{containerPort: 80}]
      volumeMounts: [{name: html, mountPath: /usr/share/nginx/html}]
    - name: content
      image: busybox:1.36
      command: [sh, -c, 'while true; do echo "<h1>written by the sidecar at $(date)</h1>" > /data/index.html; sleep 5; done']
      volumeMounts: [{name: html, mountPath: /data}]
YAML
