#!/usr/bin/env bash
# The device plugin on kubelet's real protocol: a real `migsched serve`, a
# fake-NVML `migsched agent` for node n1 (5 x A100-80GB: GPUs 0-3 cut all-1g,
# GPU 4 whole; tests/k8s/node.yaml) and the real `migsched k8s device-plugin
# --cdi`, driven by test_kubelet.py, a test kubelet speaking the device
# plugin API v1beta1 and the PodResources API v1 over gRPC (see its docstring
# for the scenarios). Ends by stopping the plugin with SIGTERM, which must
# exit 0. Exit 77 (SKIPPED) when Python's gRPC or protoc is missing.
#
# usage: device_plugin_test.sh MIGSCHED FAKE_NVML_LIBRARY [REPARTITIONS | pod-holds]
# MIGSCHED_K8S_TEST_KEEP=1 keeps the temporary directory (logs).
set -euo pipefail
migsched=$1
fake_nvml=$2
scenario=(--repartitions "${3:-8}")
[ "${3:-}" = pod-holds ] && scenario=(--scenario pod-holds)
here=$(cd "$(dirname "$0")" && pwd)
protos=$here/../../src/k8s/proto

skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

python=""
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" > /dev/null && "$candidate" -c 'import grpc, google.protobuf' 2> /dev/null; then
    python=$candidate
    break
  fi
done
[ -n "$python" ] || skip "no python3 with the grpc and protobuf modules (Debian: python3-grpcio python3-protobuf)"
command -v protoc > /dev/null || skip "no protoc (Debian: protobuf-compiler)"
command -v curl > /dev/null || skip "no curl"

# Unix socket paths must stay short (108 bytes): a short directory under /tmp.
t=$(mktemp -d /tmp/k8sdp.XXXXXX)
pids=()
cleanup() {
  local rc=$?
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2> /dev/null || true; done
  wait 2> /dev/null || true
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
    for log in "$t"/*.log; do [ -f "$log" ] && { echo "--- $log (last 30 lines)"; tail -n 30 "$log"; }; done
  fi
  if [ "${MIGSCHED_K8S_TEST_KEEP:-0}" = 1 ]; then echo "kept $t"; else rm -rf "$t"; fi
}
trap cleanup EXIT

mkdir -p "$t/py" "$t/plugins"
protoc --proto_path="$protos" --python_out="$t/py" "$protos/deviceplugin_v1beta1.proto" "$protos/podresources_v1.proto" ||
  fail "protoc could not compile $protos"

export MIGSCHED_NVML_LIBRARY=$fake_nvml MIGSCHED_FAKE_NVML_STATE=$t/gpus.json
"$migsched" fake-nvml init --state "$t/gpus.json" --gpus A100-80GB:5 > /dev/null
"$migsched" apply -f "$here/node.yaml" -c k8s-test --journal "$t/cut.journal" > "$t/apply.log" ||
  fail "migsched apply: $(cat "$t/apply.log")"

port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
server=http://127.0.0.1:$port
"$migsched" serve --listen "127.0.0.1:$port" --state "$t/serve" --check-invariants > "$t/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf "$server/healthz" > /dev/null && break; sleep 0.1; done
curl -sf "$server/healthz" > /dev/null || fail "migsched serve did not start"
"$migsched" agent --server "$server" --node n1 --token-file "$t/serve/token" --journal "$t/agent.journal" \
  > "$t/agent.log" 2>&1 &
pids+=($!)
"$migsched" k8s device-plugin --node n1 --server "$server" --token-file "$t/serve/token" \
  --plugin-dir "$t/plugins" --pod-resources-socket "$t/pod-resources.sock" --cdi --interval-ms 100 \
  > "$t/plugin.log" 2>&1 &
plugin=$!
pids+=($plugin)

"$python" "$here/test_kubelet.py" --plugin-dir "$t/plugins" --proto-py "$t/py" --server "$server" \
  --token-file "$t/serve/token" --pod-resources-socket "$t/pod-resources.sock" "${scenario[@]}" ||
  fail "the test kubelet failed"

kill -TERM "$plugin"
rc=0
wait "$plugin" || rc=$?
[ "$rc" -eq 0 ] || fail "the device plugin exited $rc on SIGTERM"
grep -q "event=stop" "$t/plugin.log" || fail "the device plugin did not log its stop"
echo "PASS"
