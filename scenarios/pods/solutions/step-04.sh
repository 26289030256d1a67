#!/usr/bin/env bash
# Reference solution: the commands a learner types (shared/labs/pods/README.md).
# KUBECTL, KUBECONFIG, CONTEXT and NAMESPACE from the environment are honoured, so tests can run it anywhere.
set -euo pipefail
k() { "${KUBECTL:-kubectl}" ${CONTEXT:+--context "$CONTEXT"} ${NAMESPACE:+--namespace "$NAMESPACE"} "$@"; }
k run my-first-pod --image stacksimplify/kubenginx:1.0.0
k wait --for=condition=Ready pod/my-first-pod --timeout=120s
k expose pod my-first-pod --type=NodePort --port=80 --name=my-first-service
k expose pod my-first-pod --type=NodePort --port=81 --target-port=80 --name=my-first-service2
k get svc
k get nodes -o wide
# The learner now opens http://<node-ip>:<nodePort> in a browser.
node_ip=$(k get nodes -o jsonpath='{.items[0].status.addresses[?(@.type=="InternalIP")].address}')
node_port=$(k get svc my-first-service -o jsonpath='{.spec.ports[0].nodePort}')
echo "open http://$node_ip:$node_port"
# kube-proxy takes a moment to open a new Service's node port: try again as a learner reloads.
for _ in $(seq 20); do
  curl -fsS -m 3 -o /dev/null "http://$node_ip:$node_port/" && exit 0
  sleep 1
done
echo "(not reachable from here)"
