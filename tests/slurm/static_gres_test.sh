#!/usr/bin/env bash
# A real single-node Slurm cluster (Debian's slurmctld + slurmd 22.05, its own
# munged) accepts the static gres that `migsched slurm gres` writes for a fake
# NVML node cut by `migsched apply` (tests/slurm/mixed.yaml): 3g.40gb +
# 2g.20gb + 1g.10gb on an A100-80GB and a whole A100-80GB. It checks that the
# node comes up IDLE with migsched's Gres=, that jobs asking for MIG types and
# the whole GPU run and what GPU environment Slurm gives them, and that a type
# the node lacks is refused. Everything lives in one temporary directory (key,
# sockets, state, spool, logs, fake /dev) on free ports; every daemon started
# is stopped on exit. Exit 77 (SKIPPED to ctest) when the machine cannot run
# the cluster, with the reason. The steps are those of docs/slurm.md, "Static
# gres on a real cluster".
#
# usage: static_gres_test.sh MIGSCHED FAKE_NVML_LIBRARY
# MIGSCHED_SLURM_TEST_KEEP=1 keeps the temporary directory (logs, configs).
set -euo pipefail
migsched=$1
fake_nvml=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/cluster.sh"
cluster_init
mkdir -p "$t/spool/n1"

# 1. The node: a fake NVML machine, cut by migsched apply.
export MIGSCHED_NVML_LIBRARY=$fake_nvml MIGSCHED_FAKE_NVML_STATE=$t/gpus.json
"$migsched" fake-nvml init --state "$t/gpus.json" --gpus A100-80GB:2 > /dev/null
"$migsched" apply -f "$here/mixed.yaml" -c mixed --journal "$t/apply.journal" > "$t/apply.txt" || fail "migsched apply: $(cat "$t/apply.txt")"

# 2. Its gres.conf lines and Gres= string, with device files under $t/dev.
"$migsched" slurm gres --node n1 --dev-root "$t/dev" > "$t/gres.out"
sed -n '/^# gres.conf$/,/^# slurm.conf$/p' "$t/gres.out" | sed '$d' > "$t/etc/gres.conf"
gres=$(sed -n '/^# slurm.conf$/,$p' "$t/gres.out" | sed -n 's/^NodeName=n1 Gres=//p')
want_gres=gpu:a100_1g.10gb:1,gpu:a100_2g.20gb:1,gpu:a100_3g.39gb:1,gpu:a100-sxm4-80gb:1
[ "$gres" = "$want_gres" ] || fail "migsched slurm gres wrote Gres=$gres, expected $want_gres"

# 3. Fake device files: slurmd keeps only character or block devices as GRES
# files (a plain file is logged as "not a valid character or block device"
# and the job gets no GPU environment). /dev/nvidia<N> is 195:<N> as in the
# driver; the nvidia-caps major is dynamic in the driver, any one serves here.
caps_major=511
for file in $(grep -o -E '(File|MultipleFiles)=[^ ]+' "$t/etc/gres.conf" | cut -d= -f2 | tr , '\n' | sort -u); do
  case $file in
    "$t"/dev/nvidia-caps/nvidia-cap*) mknod "$file" c "$caps_major" "${file##*nvidia-cap}" ;;
    "$t"/dev/nvidia[0-9]*) mknod "$file" c 195 "${file##*/nvidia}" ;;
    *) fail "unexpected device file $file in gres.conf" ;;
  esac 2> "$t/mknod.err" || skip "cannot create device nodes here (mknod: $(cat "$t/mknod.err"))"
done

# 4. MUNGE with its own key and socket.
cluster_start_munge

# 5. slurm.conf: free ports, every path in $t, no accounting, no cgroups.
cluster_write_conf gpu "NodeName=n1 NodeAddr=127.0.0.1 CPUs=1 State=UNKNOWN Gres=$gres" \
  "PartitionName=debug Nodes=n1 Default=YES MaxTime=INFINITE State=UP"

# 6. slurmctld, then slurmd; wait until the node is IDLE.
cluster_start n1
node=$node_line
echo "$ scontrol show node -o n1"
echo "$node"
[[ $node == *" Gres=$want_gres "* ]] || fail "node n1 does not show Gres=$want_gres"

# 7. Jobs. Slurm without NVML exports each GRES's index among the node's
# GPUs, not a MIG UUID. The index follows the order of the types in
# slurm.conf's Gres= (reversing the gres.conf lines changes nothing;
# reversing Gres= reverses the indices): 1g.10gb 0, 2g.20gb 1, 3g.40gb 2,
# the whole GPU (/dev/nvidia1) 3.
gpu_env() { grep -E '^(CUDA_VISIBLE_DEVICES|GPU_DEVICE_ORDINAL|SLURM_(JOB|STEP)_GPUS|SLURM_GPUS_ON_NODE)=' "$1" | sort; }
expect_env() {  # file, expected "KEY=VALUE" lines
  local file=$1
  shift
  for want in "$@"; do grep -qx "$want" "$file" || fail "job env lacks $want: $(gpu_env "$file" | tr '\n' ' ')"; done
}
run_srun() {  # type, expected index
  echo "$ srun --gres=gpu:$1:1 env"
  timeout 30 srun --gres="gpu:$1:1" env > "$t/srun-$1.env" 2> "$t/srun-$1.err" ||
    fail "srun --gres=gpu:$1:1 failed: $(cat "$t/srun-$1.err")"
  gpu_env "$t/srun-$1.env"
  expect_env "$t/srun-$1.env" "CUDA_VISIBLE_DEVICES=$2" "SLURM_STEP_GPUS=$2" "SLURM_GPUS_ON_NODE=1"
}
run_srun a100_3g.39gb 2
run_srun a100_1g.10gb 0
run_srun a100-sxm4-80gb 3
echo "$ sbatch --wait --gres=gpu:a100_2g.20gb:1 --wrap env"
timeout 30 sbatch --wait --gres=gpu:a100_2g.20gb:1 --output="$t/sbatch.env" --wrap env > "$t/sbatch.out" 2>&1 ||
  fail "sbatch job failed: $(cat "$t/sbatch.out")"
gpu_env "$t/sbatch.env"
expect_env "$t/sbatch.env" "CUDA_VISIBLE_DEVICES=1" "SLURM_JOB_GPUS=1" "SLURM_GPUS_ON_NODE=1"

# 8. Static gres: a profile nobody cut is refused, not queued.
echo "$ srun --gres=gpu:a100_4g.40gb:1 true"
if timeout 30 srun --gres=gpu:a100_4g.40gb:1 true > "$t/srun-4g.out" 2>&1; then
  fail "a job asking for a100_4g.40gb ran on a node without one"
fi
cat "$t/srun-4g.out"
grep -q "Requested node configuration is not available" "$t/srun-4g.out" ||
  fail "srun for a100_4g.40gb failed for another reason"
echo "PASS"
