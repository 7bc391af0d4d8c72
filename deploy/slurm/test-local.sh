#!/bin/bash
# Proves the Slurm example on a real scheduler: stands up a one-node Slurm cluster on this
# machine, runs the example sweep as a 4-task job array with deploy/slurm/sweep.sbatch, merges
# the shards and checks the merged files are byte-identical to a single-machine run.
#
# Needs root (it starts munged, slurmctld and slurmd) and Debian/Ubuntu packages slurm-wlm and
# munge (installed with apt-get if missing). Everything else lives in a temporary folder that is
# removed at the end; the daemons it started are stopped even on failure.
#
# Usage: bash deploy/slurm/test-local.sh   (from anywhere; exits non-zero on any mismatch)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
sweep_file=sweeps/mmc-example.toml
tasks=4

log() { printf '[test-local] %s\n' "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (it starts munged, slurmctld and slurmd)"

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
    || ! command -v munged >/dev/null || ! command -v sbatch >/dev/null; then
    log "installing slurm-wlm and munge"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq slurm-wlm munge >/dev/null
fi

log "building garita (release)"
cargo build --release --quiet
garita="$repo/target/release/garita"

tmp=$(mktemp -d /tmp/garita-slurm.XXXXXX)
chmod 755 "$tmp"
pids=()

cleanup() {
    local rc=$?
    for pidfile in "$tmp/slurmd.pid" "$tmp/slurmctld.pid" "$tmp/munge/munged.pid"; do
        if [ -s "$pidfile" ]; then
            local pid
            pid=$(cat "$pidfile")
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
        fi
    done
    if [ "$rc" -ne 0 ]; then
        for f in "$tmp"/slurmctld.log "$tmp"/slurmd.log "$tmp"/out/*.out; do
            [ -f "$f" ] && { log "--- $f"; tail -n 30 "$f" >&2; }
        done
    fi
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT INT TERM

host=$(hostname -s)
mkdir -p "$tmp/munge" "$tmp/state" "$tmp/spool" "$tmp/out"
chmod 700 "$tmp/munge"

log "starting munged"
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 600 "$tmp/munge/munge.key"
munged --force \
    --socket="$tmp/munge/munge.socket" \
    --key-file="$tmp/munge/munge.key" \
    --pid-file="$tmp/munge/munged.pid" \
    --log-file="$tmp/munge/munged.log" \
    --seed-file="$tmp/munge/munged.seed"

# Ports away from the defaults, so that a system Slurm (if any) is left alone.
port_ctld=$((20000 + RANDOM % 20000))
port_d=$((port_ctld + 1))
cpus=$(nproc)
export SLURM_CONF="$tmp/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=garita-test
SlurmctldHost=$host
SlurmctldPort=$port_ctld
SlurmdPort=$port_d
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/munge.socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
MinJobAge=600
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

log "starting slurmctld and slurmd (one node, $cpus CPUs)"
slurmctld -c
slurmd -c

for _ in $(seq 120); do
    state=$(sinfo -h -N -o '%t' 2>/dev/null | head -n 1 || true)
    case "$state" in idle* | mix* | alloc*) break ;; esac
    sleep 0.5
done
case "${state:-}" in idle* | mix* | alloc*) log "node is up ($state)" ;; *) die "the node did not come up (state: ${state:-none})" ;; esac

log "submitting $sweep_file as a $tasks-task array job"
jobid=$(GARITA="$garita" sbatch --parsable --array=0-$((tasks - 1)) \
    --chdir="$repo" --output="$tmp/out/task-%a.out" --export=ALL \
    deploy/slurm/sweep.sbatch "$sweep_file" "$tmp/shards")
log "job $jobid submitted; waiting"
for _ in $(seq 1200); do
    [ -z "$(squeue -h -j "$jobid" 2>/dev/null)" ] && break
    sleep 0.5
done
[ -z "$(squeue -h -j "$jobid" 2>/dev/null)" ] || die "job $jobid did not finish in 10 minutes"

for k in $(seq 0 $((tasks - 1))); do
    st=$(scontrol show job "${jobid}_$k" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -n 1 || true)
    [ "$st" = "JobState=COMPLETED" ] || die "array task $k: ${st:-no state}"
    [ -f "$tmp/shards/shard-$k/shard-$k-of-$tasks.json" ] || die "array task $k wrote no shard marker"
done
log "all $tasks array tasks completed"

"$garita" merge "$tmp"/shards/shard-* -o "$tmp/merged" >/dev/null
log "running the same sweep on one machine"
"$garita" sweep "$sweep_file" -o "$tmp/single" --quiet >/dev/null

diff -r -x .jobs "$tmp/single" "$tmp/merged" >&2 || die "merged shards differ from the single-machine run"
n=$(find "$tmp/merged" -path "$tmp/merged/.jobs" -prune -o -type f -print | wc -l)
[ "$n" -ge 2 ] || die "the merged folder holds only $n files"
log "OK: the merged output of $tasks Slurm array tasks is byte-identical to a single-machine run ($n files)"
