#!/usr/bin/env bash
# Dynamic MIG on a real Slurm (Debian's slurmctld + slurmd 22.05): one stream
# of sbatch jobs asking for MIG types (1g, 2g, 3g, 4g) and a whole GPU, run
# twice on one fake-NVML node of two A100-80GB cut as tests/slurm/mixed.yaml
# (GPU 0: 3g.40gb + 2g.20gb + 1g.10gb; GPU 1 whole):
#   1. static gres (no migsched): `migsched slurm gres` of that layout, as an
#      operator would write it — jobs for a type nobody cut are refused;
#   2. dynamic MIG: `migsched serve --slurm` with the node's `migsched agent`
#      on the fake NVML, the slurm.conf lines of `migsched slurm dynamic-conf`
#      and its TaskProlog. Every job must complete on a device of the type it
#      asked for, see its own device (no two jobs running at once share one),
#      and find its device still there when it ends (no running job disturbed).
# It prints each mode's jobs completed and queue wait p50/p99 (submission to
# the job's first line), and for dynamic MIG the wait of the jobs whose type
# had to be cut (repartition + GRES update). Exit 77 (SKIPPED) when the
# machine cannot run the cluster.
#
# usage: dynamic_mig_test.sh MIGSCHED FAKE_NVML_LIBRARY
# MIGSCHED_SLURM_TEST_KEEP=1 keeps the temporary directory (logs, configs).
set -euo pipefail
migsched=$1
fake_nvml=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/cluster.sh"
cluster_init
cluster_start_munge
export MIGSCHED_NVML_LIBRARY=$fake_nvml MIGSCHED_FAKE_NVML_STATE=$t/gpus.json
export MIGSCHED_BIN=$migsched

# The stream: type (autodetect name), the profile its device must have, seconds.
stream=(
  "a100_1g.10gb 1g.10gb 3" "a100_2g.20gb 2g.20gb 3" "a100_4g.39gb 4g.40gb 3" "a100_1g.10gb 1g.10gb 3"
  "a100-sxm4-80gb whole 3" "a100_3g.39gb 3g.40gb 3" "a100_1g.10gb 1g.10gb 3" "a100_4g.39gb 4g.40gb 3"
  "a100_2g.20gb 2g.20gb 3" "a100_1g.10gb 1g.10gb 3" "a100_3g.39gb 3g.40gb 3" "a100-sxm4-80gb whole 3"
)

cut_node() {  # the starting layout, on a fresh fake node
  "$migsched" fake-nvml init --state "$t/gpus.json" --gpus A100-80GB:2 > /dev/null
  "$migsched" apply -f "$here/mixed.yaml" -c mixed --journal "$t/apply.journal" > "$t/apply.txt" || fail "migsched apply: $(cat "$t/apply.txt")"
}

# A job: its device, checked against the fake NVML at its start and end.
cat > "$t/job.sh" << 'EOF'
#!/bin/bash
# args: expected profile ("whole" for a GPU), seconds to run
start=$(date +%s.%N)
dev=${CUDA_VISIBLE_DEVICES:-none}
check() {  # the device exists, with the expected profile
  local info
  info=$("$MIGSCHED_BIN" nvml-info 2> /dev/null) || return 1
  if [ "$1" = whole ]; then
    grep -q "UUID $dev," <<< "$info"
  else
    grep -E "^  [0-9]+ +$1 " <<< "$info" | grep -q " $dev\$"
  fi
}
ok=yes
check "$1" || ok=no-device-at-start
sleep "$2"
check "$1" || { [ $ok = yes ] && ok=device-gone-at-end; }
echo "RESULT $SLURM_JOB_ID $1 $dev $start $(date +%s.%N) $ok"
EOF
chmod +x "$t/job.sh"

# Submits the stream (gres name, type mapper), one job every 0.3 s; records
# each submission time. Refused submissions are recorded as such.
submit_stream() {  # mode, gres prefix
  local mode=$1 prefix=$2 i=0
  : > "$t/$mode.submitted"
  for item in "${stream[@]}"; do
    read -r type profile secs <<< "$item"
    local at
    at=$(date +%s.%N)
    if id=$(timeout 30 sbatch --parsable --gres="$prefix:$type:1" --output="$t/$mode-%j.out" \
      "$t/job.sh" "$profile" "$secs" 2> "$t/$mode-sbatch-$i.err"); then
      echo "$id $type $at" >> "$t/$mode.submitted"
    else
      echo "refused $type $at $(tr '\n' ' ' < "$t/$mode-sbatch-$i.err")" >> "$t/$mode.submitted"
    fi
    i=$((i + 1))
    sleep 0.3
  done
}

wait_queue_empty() {  # seconds
  for _ in $(seq $(($1 * 5))); do
    [ -z "$(timeout 5 squeue -h 2> /dev/null)" ] && return 0
    sleep 0.2
  done
  return 1
}

percentile() {  # nearest rank of the numbers on stdin
  sort -n | awk -v p="$1" '{a[NR] = $1} END {if (NR == 0) {print "-"; exit} r = int(p * NR); if (r < p * NR) r++; print a[r]}'
}

# Prints "completed N of M, refused R, wait p50 X s p99 Y s" for a mode.
report() {  # mode
  local mode=$1
  local waits=$t/$mode.waits
  : > "$waits"
  local completed=0 refused=0 total=0
  while read -r id type at rest; do
    total=$((total + 1))
    if [ "$id" = refused ]; then refused=$((refused + 1)); continue; fi
    local line
    line=$(grep -h '^RESULT ' "$t/$mode-$id.out" 2> /dev/null || true)
    [ -n "$line" ] || continue
    completed=$((completed + 1))
    read -r _ _ _ _ start _ _ <<< "$line"
    echo "$start $at" | awk '{printf "%.3f\n", $1 - $2}' >> "$waits"
  done < "$t/$mode.submitted"
  local p50 p99
  p50=$(percentile 0.5 < "$waits")
  p99=$(percentile 0.99 < "$waits")
  printf '%-8s completed %2d of %2d, refused at submission %2d, queue wait p50 %s s, p99 %s s\n' \
    "$mode" "$completed" "$total" "$refused" "$p50" "$p99"
  summary_completed=$completed
  summary_refused=$refused
}

# ---- 1. Static gres: the layout as it was cut, device files and all.
cut_node
"$migsched" slurm gres --node n1 --dev-root "$t/dev" > "$t/gres.out"
sed -n '/^# gres.conf$/,/^# slurm.conf$/p' "$t/gres.out" | sed '$d' > "$t/etc/gres.conf"
static_gres=$(sed -n 's/^NodeName=n1 Gres=//p' "$t/gres.out")
for file in $(grep -o -E '(File|MultipleFiles)=[^ ]+' "$t/etc/gres.conf" | cut -d= -f2 | tr , '\n' | sort -u); do
  case $file in
    "$t"/dev/nvidia-caps/nvidia-cap*) mknod "$file" c 511 "${file##*nvidia-cap}" ;;
    "$t"/dev/nvidia[0-9]*) mknod "$file" c 195 "${file##*/nvidia}" ;;
  esac 2> "$t/mknod.err" || skip "cannot create device nodes here (mknod: $(cat "$t/mknod.err"))"
done
# The static TaskProlog maps Slurm's GRES index to nothing: the job checks
# only that it ran (Slurm 22.05 without NVML knows no MIG UUIDs).
cluster_write_conf gpu "NodeName=n1 NodeAddr=127.0.0.1 CPUs=8 State=UNKNOWN Gres=$static_gres" \
  "SlurmdParameters=config_overrides
PartitionName=debug Nodes=n1 Default=YES MaxTime=INFINITE State=UP"
cluster_start n1
echo "static gres: Gres=$static_gres"
submit_stream static gpu
wait_queue_empty 120 || fail "static: jobs still queued after 120 s: $(squeue)"
cluster_stop

# ---- 2. Dynamic MIG: migsched serve --slurm and the node's agent.
cut_node
rm -f "$t/etc/gres.conf"
serve_port=$(free_port)
server=http://127.0.0.1:$serve_port
serve_pid="" agent_pid=""
stop_migsched() {
  [ -n "$agent_pid" ] && stop_pid "$agent_pid"
  [ -n "$serve_pid" ] && stop_pid "$serve_pid"
  agent_pid="" serve_pid=""
}
cleanup_hooks+=(stop_migsched)
start_serve() {  # extra args
  "$migsched" serve --listen "127.0.0.1:$serve_port" --state "$t/serve" "$@" >> "$t/log/serve.log" 2>&1 &
  serve_pid=$!
  for _ in $(seq 100); do curl -sf "$server/healthz" > /dev/null && return; sleep 0.1; done
  fail "migsched serve did not start: $(cat "$t/log/serve.log")"
}
start_serve
"$migsched" agent --server "$server" --node n1 --token-file "$t/serve/token" --journal "$t/agent.journal" \
  >> "$t/log/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 100); do
  "$migsched" fleet --server "$server" --token-file "$t/serve/token" 2> /dev/null | grep -q n1 && break
  sleep 0.1
done
# The slurm.conf lines for this fleet; the capacity node gets n1's CPUs.
"$migsched" slurm dynamic-conf --server "$server" --token-file "$t/serve/token" \
  --task-prolog "$t/etc/task-prolog" > "$t/dynamic.conf" || fail "slurm dynamic-conf: $(cat "$t/dynamic.conf")"
printf '#!/bin/sh\nSLURM_CONF=%s exec %s slurm task-prolog --timeout 60\n' "$SLURM_CONF" "$migsched" > "$t/etc/task-prolog"
chmod 755 "$t/etc/task-prolog"
capacity=$(grep '^NodeName=migsched-capacity ' "$t/dynamic.conf" | sed 's/ CPUs=1 / CPUs=8 /')
cluster_write_conf mig "NodeName=n1 NodeAddr=127.0.0.1 CPUs=8 State=UNKNOWN" \
  "SlurmdParameters=config_overrides
$(grep '^TaskProlog=' "$t/dynamic.conf")
$capacity
PartitionName=debug Nodes=n1,migsched-capacity Default=YES MaxTime=INFINITE State=UP"
cluster_start n1
stop_pid "$serve_pid"  # again, now with SLURM up
start_serve --slurm --slurm-interval 200

# One job alone first, for a type the layout lacks: the path from pending to
# running, step by step (slurmctld's log has millisecond times).
log_time() {  # the epoch seconds of the first slurmctld.log line matching $1
  local stamp
  stamp=$(grep -m1 -E "$1" "$t/log/slurmctld.log" | sed -E 's/^\[([^]]+)\].*/\1/')
  [ -n "$stamp" ] || fail "slurmctld.log has no line matching '$1'"
  date -d "$stamp" +%s.%N
}
probe_at=$(date +%s.%N)
probe=$(sbatch --parsable --gres=mig:a100_4g.39gb:1 --output="$t/probe.out" "$t/job.sh" 4g.40gb 0)
for _ in $(seq 300); do grep -q '^RESULT ' "$t/probe.out" 2> /dev/null && break; sleep 0.1; done
grep -q '^RESULT .* yes$' "$t/probe.out" || fail "the lone 4g.40gb job did not run on its device: $(cat "$t/probe.out")"
probe_gres=$(log_time "_update_node_gres: nodes n1 gres set to: .*a100_4g\.39gb:1")
probe_alloc=$(log_time "(sched: Allocate JobId=$probe |_start_job: Started JobId=$probe )")
probe_start=$(awk '/^RESULT / {print $5}' "$t/probe.out")
wait_queue_empty 30 || fail "the lone job did not end"

submit_stream dynamic mig
wait_queue_empty 180 || fail "dynamic: jobs still queued after 180 s: $(squeue -o '%i %T %r %b')"

# ---- Checks and figures.
echo "== the same stream of ${#stream[@]} jobs"
report static
static_completed=$summary_completed static_refused=$summary_refused
report dynamic
[ "$summary_refused" -eq 0 ] || fail "dynamic MIG: sbatch refused jobs: $(grep refused "$t/dynamic.submitted")"
[ "$summary_completed" -eq ${#stream[@]} ] || {
  for f in "$t"/dynamic-*.out; do echo "--- $f"; cat "$f"; done
  fail "dynamic MIG: only $summary_completed of ${#stream[@]} jobs completed"
}
[ "$static_refused" -gt 0 ] || fail "static gres served every type: the stream does not test dynamic MIG"
# Each job on a device of its type, there from start to end ...
bad=$(grep -h '^RESULT ' "$t"/dynamic-*.out | awk '$7 != "yes"')
[ -z "$bad" ] || fail "jobs without their device: $bad"
# ... and no two jobs that ran at once on one device.
shared=$(grep -h '^RESULT ' "$t"/dynamic-*.out | sort -k4,4 -k5,5n | awk '
  $4 == dev && $5 < end { print "jobs " job " and " $2 " shared " $4 } { if ($4 != dev || $6 > end) { end = $6 } dev = $4; job = $2 }')
[ -z "$shared" ] || fail "$shared"
echo "== dynamic MIG: one a100_4g.39gb job alone (the layout has none; idle 1g.10gb + 2g.20gb are cut away)"
echo "$probe_at $probe_gres $probe_alloc $probe_start" | awk '{
  printf "  submitted -> GRES count set by migsched serve (reservation, repartition, agent): %.2f s\n", $2 - $1
  printf "  GRES count set -> slurmctld allocates the job (its scheduler cycle):               %.2f s\n", $3 - $2
  printf "  allocated -> job running with its device (binding, TaskProlog):                  %.2f s\n", $4 - $3
  printf "  pending -> running:                                                                %.2f s\n", $4 - $1 }'
echo "== dynamic MIG: in the stream, jobs whose type the starting layout lacked (a repartition and a GRES update first)"
grep -E ' (a100_4g\.39gb) ' "$t/dynamic.submitted" | while read -r id type at; do
  start=$(grep -h '^RESULT ' "$t/dynamic-$id.out" | awk '{print $5}')
  echo "$start $at" | awk -v id="$id" -v type="$type" '{printf "  job %s (%s): pending to running in %.2f s\n", id, type, $1 - $2}'
done
grep -h "slurm:" "$t/log/serve.log" | sort | uniq -c | head -5 || true
echo "PASS"
