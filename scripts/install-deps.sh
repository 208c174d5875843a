#!/usr/bin/env bash
# Installs migsched's build and test dependencies from Debian 12 packages.
# The list matches cmake/Dependencies.cmake; keep the two in step.
set -euo pipefail
packages=(
  build-essential cmake g++ git
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libglpk-dev libsqlite3-dev libcpp-httplib-dev
  # the Kubernetes API client (src/k8s)
  libcurl4-openssl-dev
  libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc
  # tests of serve: promtool checks /metrics, chromium loads the dashboard;
  # bench/serve_load.sh drives the server with wrk; the bench scripts and
  # tests/slurm/dynamic_mig_test.sh poll it with curl
  prometheus chromium wrk curl
  # tests/k8s: the test kubelet speaks kubelet's gRPC from Python
  python3-grpcio python3-protobuf
  # tests/slurm: a real single-node cluster. Installing starts no daemon that
  # the test meets: without /etc/slurm/slurm.conf the slurmd and slurmctld
  # init scripts exit at once, and a system munged (if one starts) listens on
  # /run/munge, while the test runs its own munged on its own socket and key.
  slurmctld slurmd slurm-client munge
  # tests/k8s: the test Kubernetes API server and the manifest check
  python3 python3-yaml
  # the fuzz preset (scripts/fuzz.sh): clang with libFuzzer and the sanitizer runtimes
  clang libclang-rt-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
