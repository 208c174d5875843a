# A real single-node Slurm cluster in one temporary directory, for the tests in
# this folder (sourced; the steps are those of docs/slurm.md): Debian's
# slurmctld + slurmd 22.05 with their own munged, on free ports, every path
# under $t, every daemon stopped on exit (slurmstepd included, by the
# MIGSCHED_SLURM_TEST mark in its environment). The sourcing test sets
# `cleanup_hooks` for its own processes (run first on exit).
#
#   cluster_init            checks (exit 77 with the reason), $t, traps
#   cluster_start_munge
#   cluster_write_conf GRES_TYPES NODE_LINE [MORE_LINES]   slurm.conf at $SLURM_CONF
#   cluster_start NODE      slurmctld, slurmd -N NODE, wait until IDLE
#   cluster_stop            scancel, stop slurmd, slurmctld and what they left
#                           (munged and the test's own $test_pids stay)
umask 022

skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

cluster_pids=()     # munged first
slurm_pids=()       # slurmctld, slurmd
cleanup_hooks=()    # the test's own processes, stopped first
test_pids=()        # processes of the test that cluster_stop leaves running

stop_pid() {  # pid: TERM, up to 5 s, then KILL
  kill "$1" 2> /dev/null || return 0
  for _ in $(seq 50); do kill -0 "$1" 2> /dev/null || return 0; sleep 0.1; done
  kill -9 "$1" 2> /dev/null || true
}

cluster_stop() {
  if [ ${#slurm_pids[@]} -ge 1 ]; then  # let slurmctld end the jobs while slurmd still runs
    timeout 5 scancel --user=root 2> /dev/null || true
    for _ in $(seq 50); do [ -z "$(timeout 2 squeue -h 2> /dev/null)" ] && break; sleep 0.2; done
  fi
  for ((i = ${#slurm_pids[@]} - 1; i >= 0; i--)); do stop_pid "${slurm_pids[i]}"; done
  slurm_pids=()
  local keep=" $$ ${cluster_pids[*]} ${test_pids[*]} "
  for proc in /proc/[0-9]*; do
    [[ $keep == *" ${proc#/proc/} "* ]] && continue
    grep -qsxz "MIGSCHED_SLURM_TEST=$t" "$proc/environ" && stop_pid "${proc#/proc/}"
  done
  return 0
}

cluster_cleanup() {
  local rc=$?
  for hook in "${cleanup_hooks[@]}"; do $hook || true; done
  cluster_stop
  for pid in "${cluster_pids[@]}"; do stop_pid "$pid"; done
  wait 2> /dev/null || true
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
    for log in "$t"/log/*; do
      [ -f "$log" ] && { echo "--- $log (last 30 lines)"; tail -n 30 "$log"; }
    done
  fi
  if [ "${MIGSCHED_SLURM_TEST_KEEP:-0}" = 1 ]; then echo "kept $t"; else rm -rf "$t"; fi
}

cluster_init() {
  [ "$(id -u)" -eq 0 ] || skip "not root: slurmd runs jobs as their users and the cluster runs with SlurmUser=root"
  for tool in munged slurmctld slurmd scontrol srun sbatch squeue mknod; do
    command -v "$tool" > /dev/null ||
      skip "'$tool' is not on PATH (Debian packages: slurmctld slurmd slurm-client munge; scripts/install-deps.sh)"
  done
  # Short path: the munge socket must fit in sun_path (108 bytes).
  t=$(mktemp -d /tmp/migsched-slurm.XXXXXX)
  export MIGSCHED_SLURM_TEST=$t
  trap cluster_cleanup EXIT
  trap 'exit 1' INT TERM
  chmod 755 "$t"  # munged wants every directory above its socket searchable by all
  mkdir -p "$t"/{etc,munge,run,log,state,spool,dev/nvidia-caps}
  chmod 700 "$t/munge"
  export SLURM_CONF=$t/etc/slurm.conf
}

cluster_start_munge() {
  dd if=/dev/urandom of="$t/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$t/munge/munge.key"
  munged --foreground --socket="$t/run/munge.socket" --key-file="$t/munge/munge.key" \
    --pid-file="$t/run/munged.pid" --seed-file="$t/munge/munged.seed" --log-file="$t/log/munged.log" \
    > "$t/log/munged.out" 2>&1 &
  cluster_pids+=($!)
  for _ in $(seq 50); do [ -S "$t/run/munge.socket" ] && break; sleep 0.1; done
  [ -S "$t/run/munge.socket" ] || fail "munged did not start: $(cat "$t/log/munged.out")"
}

# Ports come from below the kernel's ephemeral range: there, the client side of
# any connection (other tests run alongside) can hold a port that no listener
# shows, and slurmctld's bind fails ("Address already in use").
port_is_free() { ! (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }
free_port() {
  local port low
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2> /dev/null || echo 32768)
  for _ in $(seq 100); do
    port=$((10000 + RANDOM % (low - 10000)))
    if [ "$port" != "${1:-}" ] && port_is_free "$port"; then echo "$port"; return; fi
  done
  fail "no free TCP port found"
}

cluster_write_conf() {  # GresTypes, node line, further lines (partition etc.)
  local ctld_port slurmd_port
  ctld_port=$(free_port)
  slurmd_port=$(free_port "$ctld_port")
  cat > "$SLURM_CONF" << EOF
ClusterName=migsched-test
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$t/run/munge.socket
StateSaveLocation=$t/state
SlurmdSpoolDir=$t/spool/%n
SlurmctldPidFile=$t/run/slurmctld.pid
SlurmdPidFile=$t/run/slurmd-%n.pid
SlurmctldLogFile=$t/log/slurmctld.log
SlurmdLogFile=$t/log/slurmd-%n.log
SlurmctldDebug=verbose
SlurmdDebug=verbose
MailProg=/bin/true
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
# Backfill every second (default 30 s): jobs behind a blocked one start as soon as their GRES appear.
SchedulerParameters=bf_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
GresTypes=$1
ReturnToService=2
$2
${3:-}
EOF
}

cluster_start() {  # node name
  local node=$1 state=""
  mkdir -p "$t/spool/$node"
  slurmctld -D -c -f "$SLURM_CONF" > "$t/log/slurmctld.out" 2>&1 &
  slurm_pids+=($!)
  for _ in $(seq 100); do timeout 5 scontrol ping 2> /dev/null | grep -q UP && break; sleep 0.2; done
  timeout 5 scontrol ping | grep -q UP || fail "slurmctld did not come up"
  slurmd -D -N "$node" -f "$SLURM_CONF" > "$t/log/slurmd.out" 2>&1 &
  slurm_pids+=($!)
  for _ in $(seq 100); do
    state=$(timeout 5 scontrol show node -o "$node" 2> /dev/null || true)
    case $state in
      *" State=IDLE "*) break ;;
      *" State="*DRAIN* | *" State="*INVAL*) fail "slurmctld refused the node: $state" ;;
    esac
    sleep 0.2
  done
  [[ $state == *" State=IDLE "* ]] || fail "node $node is not IDLE: $state"
  node_line=$state
}
