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
#      again (410 Gone) and still serves a new pod; its reservation,
#      cancelled by hand in serve while the pod waits, is made again;
#   5. mig-manager: the node label nvidia.com/mig.config=all-3g.40gb is
#      applied (state success), an unknown config is `failed`; a MIG mode
#      change pending a reset the GPU's clients prevent is `failed`, and with
#      --reboot-command `rebooting` and the command run; after the "reboot"
#      the config is applied (`success`).
# usage: controller_test.sh MIGSCHED FAKE_NVML_LIBRARY
set -euo pipefail
migsched=$1 fake_nvml=$2
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=cluster.sh
source "$here/cluster.sh"

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
late_id=$(reservation "k8s/$uid3/1g.10gb/1" running | json "d['id']")
grep -q "event=watch_expired" "$t/controller.log" || fail "the controller did not see 410 Gone"
echo "after a compaction (410 Gone) the controller listed again and served pod late"
# Regression (issue 13): serve answers the cancelled job for the same name, so
# the controller used to leave the pod without a reservation for good.
curl -sS --fail-with-body -X DELETE -H "Authorization: Bearer $serve_token" "$server/v1/jobs/$late_id" > /dev/null
reservation "k8s/$uid3/1g.10gb/1/2" running > /dev/null
echo "reservation $late_id of pending pod late cancelled by hand -> made again as k8s/$uid3/1g.10gb/1/2"

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

# A MIG mode change that needs a reboot: MIG off, then a client on the whole
# GPU (a process in the fake's state) while MIG on is pending a reset (an
# earlier request the driver could not carry out without resetting the GPU).
k PATCH /api/v1/nodes/gpu-node-2 '{"metadata": {"labels": {"nvidia.com/mig.config": "all-disabled"}}}' \
  application/merge-patch+json > /dev/null
state_becomes success
fake_state() {  # python statements over the fake NVML's state s
  python3 -c "import json; p='$t/gpus2.json'; s=json.load(open(p)); $1; json.dump(s, open(p, 'w'))"
}
fake_state "s['gpus'][0]['processes'] = [{'pid': 4242, 'used_memory_mib': 100}]; s['gpus'][0]['mig_pending'] = True"
k PATCH /api/v1/nodes/gpu-node-2 '{"metadata": {"labels": {"nvidia.com/mig.config": "all-1g.10gb"}}}' \
  application/merge-patch+json > /dev/null
state_becomes failed
# With a reboot command, as NVIDIA's mig-manager with WITH_REBOOT: `rebooting`, then the command.
kill "${pids[-1]}"; wait "${pids[-1]}" || true; unset 'pids[-1]'
"$migsched" k8s mig-manager --node gpu-node-2 -f "$here/mig-configs.yaml" --kubeconfig "$t/kubeconfig" \
  --journal "$t/mig-manager.journal" --reboot-command "touch $t/rebooted" > "$t/mig-manager-reboot.log" 2>&1 &
pids+=($!)
state_becomes rebooting
for _ in $(seq 100); do [ -f "$t/rebooted" ] && break; sleep 0.05; done
[ -f "$t/rebooted" ] || fail "the reboot command did not run: $(cat "$t/mig-manager-reboot.log")"
# The reboot resets the GPU (the pending mode takes effect, the clients are
# gone); mig-manager starts again and applies the config.
kill "${pids[-1]}"; wait "${pids[-1]}" || true; unset 'pids[-1]'
fake_state "g = s['gpus'][0]; g['mig_enabled'] = g['mig_pending']; g['processes'] = []"
"$migsched" k8s mig-manager --node gpu-node-2 -f "$here/mig-configs.yaml" --kubeconfig "$t/kubeconfig" \
  --journal "$t/mig-manager.journal" --reboot-command "touch $t/rebooted-again" > "$t/mig-manager-after.log" 2>&1 &
pids+=($!)
state_becomes success
"$migsched" assert -f "$here/mig-configs.yaml" -c all-1g.10gb > /dev/null || fail "all-1g.10gb was not applied after the reboot"
[ ! -f "$t/rebooted-again" ] || fail "rebooted twice"
echo "mig-manager: a MIG mode change pending a reset: failed; with --reboot-command: rebooting, then success"
echo PASS
