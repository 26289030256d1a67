#!/usr/bin/env bash
# The yardstick: the verify script a course author writes today for step 4 of the Pods lab, with
# kubectl and curl. Same checks as `labcheck step-04`: the Pod is Ready with the image, both Services
# are NodePorts with the right ports and ready endpoints, and the app answers on both node ports.
# Usage: verify.sh NAMESPACE   (KUBECTL and KUBECONFIG from the environment are honoured)
set -euo pipefail
ns=${1:?namespace}
k() { "${KUBECTL:-kubectl}" --namespace "$ns" "$@"; }
fail() { echo "FAIL: $*"; exit 1; }

read -r image ready < <(k get pod my-first-pod \
  -o jsonpath='{.spec.containers[0].image} {.status.conditions[?(@.type=="Ready")].status}{"\n"}') \
  || fail "pod my-first-pod not found"
case "$image" in
  stacksimplify/kubenginx:1.0.0|docker.io/stacksimplify/kubenginx:1.0.0|ghcr.io/stacksimplify/kubenginx:1.0.0) ;;
  *) fail "pod image is $image" ;;
esac
[ "$ready" = True ] || fail "pod is not Ready"

node_ip=$(k get nodes -o jsonpath='{.items[0].status.addresses[?(@.type=="InternalIP")].address}')
for spec in my-first-service:80 my-first-service2:81; do
  svc=${spec%%:*} port=${spec##*:}
  read -r type sport tport nport sel < <(k get service "$svc" -o jsonpath='{.spec.type} {.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.ports[0].nodePort} {.spec.selector.run}{"\n"}') \
    || fail "service $svc not found"
  [ "$type" = NodePort ] || fail "$svc type is $type"
  [ "$sport" = "$port" ] && [ "$tport" = 80 ] || fail "$svc ports are $sport -> $tport"
  [ "$sel" = my-first-pod ] || fail "$svc does not select my-first-pod"
  ready_eps=$(k get endpointslices -l "kubernetes.io/service-name=$svc" \
    -o jsonpath='{.items[*].endpoints[?(@.conditions.ready==true)].addresses[0]}')
  [ -n "$ready_eps" ] || fail "$svc has no ready endpoints"
  curl -fsS -m 3 -o /dev/null "http://$node_ip:$nport/" || fail "$svc does not answer on $node_ip:$nport"
done
echo "PASS"
