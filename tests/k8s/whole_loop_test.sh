#!/usr/bin/env bash
# The whole Kubernetes loop (issue 13): a pending pod asking for
# nvidia.com/mig-3g.40gb on a node cut all-1g.10gb -> the controller's
# reservation -> repartition on the fake NVML -> the device plugin's
# ListAndWatch update -> Allocate -> the container env carries the new MIG
# UUID, while a running pod's instance is untouched. Real serve, agent,
# controller and device plugin; the test API server (cluster.sh) and the
# test kubelet (whole_loop.py with test_kubelet.py). Exit 77 (SKIPPED)
# without Python's gRPC or protoc.
# usage: whole_loop_test.sh MIGSCHED FAKE_NVML_LIBRARY
set -euo pipefail
migsched=$1 fake_nvml=$2
here=$(cd "$(dirname "$0")" && pwd)
python=""
for candidate in python3 /usr/bin/python3; do
  "$candidate" -c 'import grpc, google.protobuf' 2> /dev/null && { python=$candidate; break; }
done
[ -n "$python" ] ||
  { echo "SKIPPED: no python3 with the grpc and protobuf modules (python3-grpcio python3-protobuf)"; exit 77; }
command -v protoc > /dev/null || { echo "SKIPPED: no protoc (protobuf-compiler)"; exit 77; }
# shellcheck source=cluster.sh
source "$here/cluster.sh"

mkdir -p "$t/py" "$t/plugins"
protoc --proto_path="$here/../../src/k8s/proto" --python_out="$t/py" \
  "$here/../../src/k8s/proto/deviceplugin_v1beta1.proto" || fail "protoc could not compile the device plugin API"
"$migsched" k8s device-plugin --node gpu-node-1 --server "$server" --token-file "$t/serve/token" \
  --plugin-dir "$t/plugins" --interval-ms 100 > "$t/plugin.log" 2>&1 &
pids+=($!)
PYTHONPATH=$here "$python" "$here/whole_loop.py" --plugin-dir "$t/plugins" --proto-py "$t/py" --server "$server" \
  --token-file "$t/serve/token" --kube "$kube" --kube-token kube-token --kube-ca "$t/tls.crt" ||
  fail "the whole loop failed"
