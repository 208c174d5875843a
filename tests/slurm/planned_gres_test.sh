#!/usr/bin/env bash
# A real slurmctld (Debian's 22.05) accepts the slurm.conf node lines that
# `migsched plan --slurm` writes for a planned fleet (examples/plan), before
# any layout exists: it starts with them and `scontrol show node` shows each
# node's typed GPUs as planned. (The plan's AccountingStorageTRES line needs
# slurmdbd, which this cluster has not: slurmctld would exit on it. Node names
# that do not resolve get NodeAddr=127.0.0.1.) Exit 77 (SKIPPED) when the
# machine cannot run the cluster.
#
# usage: planned_gres_test.sh MIGSCHED
set -euo pipefail
migsched=$1
here=$(cd "$(dirname "$0")" && pwd)
examples=$here/../../examples/plan
. "$here/cluster.sh"
cluster_init
cluster_start_munge

"$migsched" plan --fleet "$examples/fleet.yaml" --workloads "$examples/workloads.yaml" --slurm "$t/plan" \
  > "$t/plan.out" 2>&1 || fail "migsched plan: $(cat "$t/plan.out")"
grep -q '^GresTypes=gpu$' "$t/plan/slurm.conf" || fail "plan's slurm.conf has no GresTypes=gpu"
nodes=$(grep '^NodeName=' "$t/plan/slurm.conf" | sed 's/$/ NodeAddr=127.0.0.1 CPUs=1 State=UNKNOWN/')
[ -n "$nodes" ] || fail "plan's slurm.conf has no node lines"
names=$(grep '^NodeName=' "$t/plan/slurm.conf" | sed -E 's/^NodeName=([^ ]+) .*/\1/' | paste -sd, -)
cluster_write_conf gpu "$nodes" "PartitionName=debug Nodes=$names Default=YES MaxTime=INFINITE State=UP"
slurmctld -D -c -f "$SLURM_CONF" > "$t/log/slurmctld.out" 2>&1 &
slurm_pids+=($!)
for _ in $(seq 100); do timeout 5 scontrol ping 2> /dev/null | grep -q UP && break; sleep 0.2; done
timeout 5 scontrol ping | grep -q UP || fail "slurmctld did not come up with the plan's node lines"

# Every planned node shows the Gres= the plan gave it.
checked=0
while read -r line; do
  hostlist=$(sed -E 's/^NodeName=([^ ]+) .*/\1/' <<< "$line")
  want=$(sed -E 's/.* Gres=([^ ]+).*/\1/' <<< "$line")
  for node in $(scontrol show hostnames "$hostlist"); do
    shown=$(timeout 5 scontrol show node -o "$node")
    [[ $shown == *" Gres=$want "* ]] || fail "node $node: slurmctld shows $(grep -o 'Gres=[^ ]*' <<< "$shown"), the plan says Gres=$want"
    checked=$((checked + 1))
  done
done < <(grep '^NodeName=' "$t/plan/slurm.conf")
echo "$ scontrol show node -o dgx-a100-1"
timeout 5 scontrol show node -o dgx-a100-1 | grep -o 'NodeName=[^ ]*\|Gres=[^ ]*'
echo "slurmctld accepted the planned Gres= of $checked nodes"
echo "PASS"
