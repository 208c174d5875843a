#!/usr/bin/env bash
# The Kubernetes controller and the mig-manager drop-in, end to end, against
# the test API server (tests/k8s/kube_api_server.py, TLS and a bearer token),
# the real `migsched serve`, a node agent on the fake NVML, and the real
# `migsched k8s controller` and `migsched k8s mig-manager` binaries:
#   1. a running pod holds a 1g.10gb reserved for it on a node cut all-1g;
#   2. a pending, unschedulable pod asking for nvidia.com/mig-3g.40gb gets a
#      reservation, the core repartitions idle 1g slices and the agent cuts
#      the 3g.40gb on the fake NVML; the running pod's instance is untouched;
#   3. deleting the pod releases its reservation;
#   4. after the API server forgets its event history the controller lists
#      again (410 Gone) and still serves a new pod;
#   5. mig-manager: the node label nvidia.com/mig.config=all-3g.40gb is
#      applied (state success), an unknown config is `failed`.
# usage: controller_test.sh MIGSCHED FAKE_NVML_LIBRARY
set -euo pipefail
migsched=$1 fake_nvml=$2
here=$(cd "$(dirname "$0")" && pwd)
command -v python3 > /dev/null || { echo "SKIPPED: python3 is missing"; exit 77; }
command -v curl > /dev/null || { echo "SKIPPED: curl is missing"; exit 77; }
command -v openssl > /dev/null || { echo "SKIPPED: openssl is missing"; exit 77; }

t=$(mktemp -d)
pids=()
cleanup() {
  local rc=$?
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2> /dev/null || true; done
  wait 2> /dev/null || true
  if [ "$rc" -ne 0 ]; then
    for log in "$t"/*.log; do [ -f "$log" ] && { echo "--- $log (last 30 lines)"; tail -n 30 "$log"; }; done
  fi
  rm -rf "$t"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
json() {  # python expression over the JSON document d on stdin; objects print as JSON
  python3 -c "import json,sys; d=json.load(sys.stdin); r=($1); print(json.dumps(r) if isinstance(r, (dict, list)) else r)"
}
now() { date +%s.%N; }

# ---- the test API server, over TLS with a bearer token, and its kubeconfig
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$t/tls.key" -out "$t/tls.crt" -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 2> /dev/null
python3 "$here/kube_api_server.py" --port-file "$t/kube.port" --token kube-token \
  --tls-cert "$t/tls.crt" --tls-key "$t/tls.key" > "$t/kube-api.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -f "$t/kube.port" ] && break; sleep 0.1; done
[ -f "$t/kube.port" ] || fail "the test API server did not start"
kube=https://127.0.0.1:$(cat "$t/kube.port")
cat > "$t/kubeconfig" << KUBECONFIG
apiVersion: v1
kind: Config
current-context: test
contexts:
- name: test
  context: {cluster: test, user: test}
clusters:
- name: test
  cluster:
    server: $kube
    certificate-authority-data: $(base64 -w0 "$t/tls.crt")
users:
- name: test
  user: {token: kube-token}
KUBECONFIG
k() {  # method path [json body [content type]]
  curl -sS --fail-with-body --cacert "$t/tls.crt" -H "Authorization: Bearer kube-token" -X "$1" \
    -H "Content-Type: ${4:-application/json}" ${3:+--data "$3"} "$kube$2"
}

# ---- serve, and one node of one A100-80GB cut all-1g.10gb with its agent
export MIGSCHED_NVML_LIBRARY=$fake_nvml MIGSCHED_FAKE_NVML_STATE=$t/gpus.json
"$migsched" fake-nvml init --state "$t/gpus.json" --gpus A100-80GB:1 > /dev/null
"$migsched" apply -f "$here/mig-configs.yaml" -c all-1g.10gb --journal "$t/apply.journal" > /dev/null
"$migsched" serve --listen 127.0.0.1:0 --state "$t/serve" --check-invariants > "$t/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q "listening on" "$t/serve.log" && break; sleep 0.1; done
server=$(grep -o "http://127.0.0.1:[0-9]*" "$t/serve.log" | head -1)
[ -n "$server" ] || fail "migsched serve did not start"
serve_token=$(cat "$t/serve/token")
s() { curl -sS --fail-with-body -H "Authorization: Bearer $serve_token" "$server$1"; }
"$migsched" agent --server "$server" --node gpu-node-1 --token-file "$t/serve/token" --journal "$t/agent.journal" \
  > "$t/agent.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do s /v1/fleet | grep -q gpu-node-1 && break; sleep 0.1; done
k POST /api/v1/nodes '{"metadata": {"name": "gpu-node-1"}}' > /dev/null

"$migsched" k8s controller --server "$server" --token-file "$t/serve/token" --kubeconfig "$t/kubeconfig" \
  --interval 0.5 > "$t/controller.log" 2>&1 &
pids+=($!)

# A pod that asks for MIG devices; kube-scheduler's verdict is set by the test.
pod_json() {  # name resource
  printf '{"metadata": {"name": "%s"}, "spec": {"containers": [{"name": "c", "image": "cuda",
    "resources": {"limits": {"%s": "1"}}}]}, "status": {"phase": "Pending", "conditions": [{"type":
    "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/1 nodes are available"}]}}' "$1" "$2"
}
reservation() {  # name state: the job's JSON once it is in that state (polled cheaply: curl and grep)
  for _ in $(seq 1000); do
    s "/v1/jobs?state=$2" | grep -q "\"$1\"" && break
    sleep 0.01
  done
  s "/v1/jobs?state=$2" | json "([j for j in d['jobs'] if j['name'] == '$1'] or [''])[0]" | grep . || fail "no reservation $1 became $2: $(s /v1/jobs)"
}

# ---- 1. a running pod on a reserved 1g.10gb
uid1=$(k POST /api/v1/namespaces/default/pods "$(pod_json small nvidia.com/mig-1g.10gb)" | json "d['metadata']['uid']")
small=$(reservation "k8s/$uid1/1g.10gb/1" running)
small_uuid=$(echo "$small" | json "d['mig_uuid']")
# kube-scheduler binds it to the node where its device now is; it runs.
k PATCH /api/v1/namespaces/default/pods/small '{"spec": {"nodeName": "gpu-node-1"}, "status": {"phase": "Running",
  "conditions": [{"type": "PodScheduled", "status": "True"}]}}' application/merge-patch+json > /dev/null
echo "running pod small holds $small_uuid"

# ---- 2. a pending pod asking for a 3g.40gb the layout lacks
start=$(now)
# (no python between the POST and the polls: under load its start-up alone takes a second)
uid2=$(k POST /api/v1/namespaces/default/pods "$(pod_json big nvidia.com/mig-3g.40gb)" | grep -o '"uid": "[^"]*"' |
  cut -d'"' -f4)
big=$(reservation "k8s/$uid2/3g.40gb/1" running)
elapsed=$(echo "$start $(now)" | awk '{printf "%.3f", $2 - $1}')
big_uuid=$(echo "$big" | json "d['mig_uuid']")
"$migsched" export | grep -q '"3g.40gb": 1' || fail "the fake NVML has no 3g.40gb: $("$migsched" export)"
grep -q "$big_uuid" "$t/gpus.json" || fail "the fake NVML has no instance $big_uuid"
grep -q "$small_uuid" "$t/gpus.json" || fail "the running pod's instance $small_uuid was destroyed"
[ "$(s "/v1/jobs?state=running" | json "[j['mig_uuid'] for j in d['jobs'] if j['name'] == 'k8s/$uid1/1g.10gb/1'][0]")" \
  = "$small_uuid" ] || fail "the running pod's reservation moved"
echo "pending pod big -> 3g.40gb $big_uuid cut on the fake NVML in $elapsed s (pod created -> reservation running)"

# ---- 3. the pod is deleted: its reservation is released
k DELETE /api/v1/namespaces/default/pods/big > /dev/null
big_id=$(echo "$big" | json "d['id']")
for _ in $(seq 200); do
  [ "$(s "/v1/jobs/$big_id" | json "d['state']")" = finished ] && break
  sleep 0.05
done
[ "$(s "/v1/jobs/$big_id" | json "d['state']")" = finished ] || fail "the deleted pod's reservation was not released"
echo "deleted pod big -> reservation $big_id finished"

# ---- 4. the API server forgets its history: the controller lists again
k POST /testing/compact '{}' > /dev/null
uid3=$(k POST /api/v1/namespaces/default/pods "$(pod_json late nvidia.com/mig-1g.10gb)" | json "d['metadata']['uid']")
reservation "k8s/$uid3/1g.10gb/1" running > /dev/null
grep -q "event=watch_expired" "$t/controller.log" || fail "the controller did not see 410 Gone"
echo "after a compaction (410 Gone) the controller listed again and served pod late"

# ---- 5. mig-manager on a second node, its own fake NVML; first with a wrong
# token: the API server's own message reaches the log
export MIGSCHED_FAKE_NVML_STATE=$t/gpus2.json
sed 's/token: kube-token/token: wrong/' "$t/kubeconfig" > "$t/kubeconfig-wrong"
"$migsched" k8s mig-manager --node gpu-node-2 -f "$here/mig-configs.yaml" --kubeconfig "$t/kubeconfig-wrong" \
  > "$t/mig-manager-wrong.log" 2>&1 &
wrong_pid=$!
for _ in $(seq 200); do grep -q "HTTP 401: Unauthorized" "$t/mig-manager-wrong.log" && break; sleep 0.05; done
kill "$wrong_pid"; wait "$wrong_pid" || true
grep -q 'event=list_failed collection=/api/v1/nodes error="GET /api/v1/nodes?fieldSelector=metadata.name%3Dgpu-node-2: HTTP 401: Unauthorized"' \
  "$t/mig-manager-wrong.log" || fail "no clear error for a wrong token: $(cat "$t/mig-manager-wrong.log")"
"$migsched" fake-nvml init --state "$t/gpus2.json" --gpus A100-80GB:1 > /dev/null
k POST /api/v1/nodes '{"metadata": {"name": "gpu-node-2", "labels": {"nvidia.com/mig.config": "all-3g.40gb"}}}' \
  > /dev/null
"$migsched" k8s mig-manager --node gpu-node-2 -f "$here/mig-configs.yaml" --kubeconfig "$t/kubeconfig" \
  --journal "$t/mig-manager.journal" > "$t/mig-manager.log" 2>&1 &
pids+=($!)
state_becomes() {  # value
  local state=""
  for _ in $(seq 200); do
    state=$(k GET /api/v1/nodes/gpu-node-2 | json "d['metadata']['labels'].get('nvidia.com/mig.config.state', '')")
    [ "$state" = "$1" ] && return
    sleep 0.05
  done
  fail "nvidia.com/mig.config.state is '$state', not '$1'"
}
state_becomes success
"$migsched" assert -f "$here/mig-configs.yaml" -c all-3g.40gb > /dev/null || fail "all-3g.40gb was not applied"
grep -q "state=pending" "$t/mig-manager.log" || fail "no pending state before the apply"
k PATCH /api/v1/nodes/gpu-node-2 '{"metadata": {"labels": {"nvidia.com/mig.config": "no-such-config"}}}' \
  application/merge-patch+json > /dev/null
state_becomes failed
k PATCH /api/v1/nodes/gpu-node-2 '{"metadata": {"labels": {"nvidia.com/mig.config": "all-1g.10gb"}}}' \
  application/strategic-merge-patch+json > /dev/null
state_becomes success
"$migsched" assert -f "$here/mig-configs.yaml" -c all-1g.10gb > /dev/null || fail "all-1g.10gb was not applied"
echo "mig-manager: all-3g.40gb success, no-such-config failed, all-1g.10gb success"
echo PASS
