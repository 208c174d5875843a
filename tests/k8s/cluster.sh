# Sourced by the Kubernetes tests (controller_test.sh, whole_loop_test.sh):
# a temporary directory $t with cleanup, the test API server over TLS with a
# bearer token and its kubeconfig ($t/kubeconfig; `k METHOD PATH [BODY
# [CONTENT-TYPE]]` calls it), `migsched serve` ($server; `s PATH` calls it),
# node gpu-node-1 (one A100-80GB cut all-1g.10gb on the fake NVML, its
# agent, its Node object) and `migsched k8s controller`.
# Expects $migsched, $fake_nvml and $here (this directory).
command -v python3 > /dev/null || { echo "SKIPPED: python3 is missing"; exit 77; }
command -v curl > /dev/null || { echo "SKIPPED: curl is missing"; exit 77; }
command -v openssl > /dev/null || { echo "SKIPPED: openssl is missing"; exit 77; }

# Unix socket paths (the device plugin's) must stay short: a short directory.
t=$(mktemp -d /tmp/k8s.XXXXXX)
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
