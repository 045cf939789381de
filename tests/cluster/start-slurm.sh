#!/bin/bash
# Single-node Slurm (Debian 12: slurm-wlm 22.05.8) without systemd, as root: the real cluster HpcJobs' SLURM tests run on.
# Based on the project's shared reference script; HpcJobs additions: SLURM_MIN_JOB_AGE, the node feature "hpcjobs"
# (so that --constraint can be checked), and slurm-wlm-torque (SchedMD's PBS-style qsub/qstat/qdel wrappers).
# Installs (if needed), configures and starts: munged, [mariadbd, slurmdbd,] slurmctld, slurmd.
# Usage: start-slurm.sh            # with accounting (sacct works): MariaDB + slurmdbd
#        SLURM_ACCT=0 start-slurm.sh   # no DB: faster, sacct says "Slurm accounting storage is disabled"
#        SLURM_CGROUP=1 start-slurm.sh # proctrack/cgroup + task/cgroup (cgroup v1 here): --mem is enforced (OUT_OF_MEMORY)
# Idempotent: a daemon whose pid file points at a live process is not started again.
set -euo pipefail
SLURM_ACCT=${SLURM_ACCT:-1}
SLURM_CGROUP=${SLURM_CGROUP:-0}
SLURM_MIN_JOB_AGE=${SLURM_MIN_JOB_AGE:-300}
CONF_SRC_DIR=${CONF_SRC_DIR:-}          # optional: dir holding a ready slurm.conf / slurmdbd.conf
DBPASS=${SLURM_DBPASS:-slurmdbpass}
log() { echo "[start-slurm $(date +%T.%N | cut -c1-12)] $*"; }
t_start=$(date +%s%N)
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
waitfor() { # waitfor SECONDS DESCRIPTION CMD...
  local n=$(( $1 * 10 )) what=$2; shift 2
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "timeout waiting for $what" >&2; return 1; }

# ---------- 1. packages (daemons must not be auto-started by apt: no systemd here) ----------
pkgs="slurmctld slurmd slurm-client munge slurm-wlm-torque"
[ "$SLURM_ACCT" = 1 ] && pkgs="$pkgs slurmdbd mariadb-server"
missing=$(for p in $pkgs; do dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"; done | tr "\n" " ")
if [ -n "$missing" ]; then
  log "apt-get install $missing"
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; created_policy=1; fi
  [ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -print -quit 2>/dev/null)" ] || apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  [ "$created_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
fi
log "packages ok ($(dpkg-query -W -f='${Version}' slurmctld))"

# ---------- 2. host name must resolve ----------
HOST=$(hostname -s)
getent hosts "$HOST" >/dev/null || echo "127.0.0.1 $HOST" >> /etc/hosts

# ---------- 3. config ----------
mkdir -p /etc/slurm /run/slurm /run/munge /var/log/slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd
chown slurm:slurm /run/slurm /var/log/slurm /var/lib/slurm/slurmctld
chown munge:munge /run/munge; chmod 0755 /run/munge
if [ -n "$CONF_SRC_DIR" ] && [ -f "$CONF_SRC_DIR/slurm.conf" ]; then
  cp "$CONF_SRC_DIR/slurm.conf" /etc/slurm/slurm.conf
else
  NODELINE=$(slurmd -C | head -n1)            # NodeName=vm CPUs=2 ... RealMemory=24105
  if [ "$SLURM_CGROUP" = 1 ]; then
    TRACK="ProctrackType=proctrack/cgroup
TaskPlugin=task/cgroup"
    printf 'CgroupPlugin=autodetect\nConstrainCores=yes\nConstrainRAMSpace=yes\n' > /etc/slurm/cgroup.conf
  else
    TRACK="ProctrackType=proctrack/linuxproc
TaskPlugin=task/none"
    rm -f /etc/slurm/cgroup.conf
  fi
  if [ "$SLURM_ACCT" = 1 ]; then
    ACCT="AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=6819"
  else
    ACCT="AccountingStorageType=accounting_storage/none"
  fi
  cat > /etc/slurm/slurm.conf.new <<EOF
# Single-node Slurm 22.05 (Debian 12) for a VM/container without systemd (started by start-slurm.sh).
ClusterName=local
SlurmctldHost=$HOST
SlurmUser=slurm
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
MailProg=/bin/true
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=/run/slurm/slurmctld.pid
SlurmdPidFile=/run/slurm/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# default: no cgroups (track processes by parent pid, no task binding, --mem not enforced)
$TRACK
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=1
# scheduling
SchedulerType=sched/backfill
# default batch_sched_delay=3 => only ~0.7 short jobs/s on 2 CPUs; 0 => ~2/s (1 s ctld loop)
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# without this every job is given the whole node's memory and jobs run one at a time
DefMemPerCPU=1024
ReturnToService=2
# reject impossible requests (too many CPUs, too long) at submit time instead of pending forever
EnforcePartLimits=ALL
# cancel jobs whose dependency can never be satisfied (default: pending forever)
DependencyParameters=kill_invalid_depend
# finished jobs stay visible to squeue -t all / scontrol show job for this many seconds
MinJobAge=$SLURM_MIN_JOB_AGE
MaxJobCount=10000
SlurmctldTimeout=30
SlurmdTimeout=60
InactiveLimit=0
KillWait=5
Waittime=0
# accounting
$ACCT
JobCompType=jobcomp/filetxt
JobCompLoc=/var/log/slurm/jobcomp.log
# preemption (Restart/requeue tests): a job in "high" preempts jobs in "low" (requeued, runs again) and "lowcancel"
# (cancelled); jobs in "debug", the default, are never preempted
PreemptType=preempt/partition_prio
PreemptMode=REQUEUE
$NODELINE Features=hpcjobs State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP PriorityTier=1 PreemptMode=OFF
PartitionName=low Nodes=$HOST MaxTime=INFINITE State=UP PriorityTier=1 PreemptMode=REQUEUE
PartitionName=lowcancel Nodes=$HOST MaxTime=INFINITE State=UP PriorityTier=1 PreemptMode=CANCEL
PartitionName=high Nodes=$HOST MaxTime=INFINITE State=UP PriorityTier=10 PreemptMode=OFF
EOF
  if cmp -s /etc/slurm/slurm.conf.new /etc/slurm/slurm.conf; then rm /etc/slurm/slurm.conf.new
  else mv /etc/slurm/slurm.conf.new /etc/slurm/slurm.conf; conf_changed=1; fi
fi

# ---------- 4. munge ----------
[ -s /etc/munge/munge.key ] || { mungekey --create --force 2>/dev/null || dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=128 status=none; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
if ! alive /run/munge/munged.pid; then
  log "starting munged"; runuser -u munge -- /usr/sbin/munged
fi
waitfor 10 munge sh -c 'munge -n | unmunge'

# ---------- 5. accounting DB ----------
if [ "$SLURM_ACCT" = 1 ]; then
  mkdir -p /run/mysqld; chown mysql:root /run/mysqld
  if ! mariadb-admin ping >/dev/null 2>&1; then
    log "starting mariadbd"
    setsid nohup /usr/sbin/mariadbd --user=mysql --bind-address=127.0.0.1 \
      --innodb-buffer-pool-size=256M --innodb-lock-wait-timeout=900 \
      >/var/log/slurm/mariadb.log 2>&1 </dev/null &
    echo $! > /run/slurm/mariadbd.pid
  fi
  waitfor 60 mariadb mariadb-admin ping
  mariadb -e "CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY '$DBPASS';
              GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost'; FLUSH PRIVILEGES;"
  if [ -n "$CONF_SRC_DIR" ] && [ -f "$CONF_SRC_DIR/slurmdbd.conf" ]; then
    install -o slurm -g slurm -m 600 "$CONF_SRC_DIR/slurmdbd.conf" /etc/slurm/slurmdbd.conf
  else
    install -o slurm -g slurm -m 600 /dev/stdin /etc/slurm/slurmdbd.conf <<EOF
AuthType=auth/munge
DbdHost=localhost
DbdPort=6819
SlurmUser=slurm
DebugLevel=info
LogFile=/var/log/slurm/slurmdbd.log
PidFile=/run/slurm/slurmdbd.pid
StorageType=accounting_storage/mysql
StorageHost=localhost
StoragePort=3306
StorageUser=slurm
StoragePass=$DBPASS
StorageLoc=slurm_acct_db
EOF
  fi
  if ! alive /run/slurm/slurmdbd.pid; then log "starting slurmdbd"; slurmdbd; fi
  waitfor 60 slurmdbd bash -c 'exec 3<>/dev/tcp/127.0.0.1/6819'
fi

# ---------- 6. slurmctld + slurmd ----------
# a running controller keeps the configuration it started with (PreemptType is read at start only)
if [ "${conf_changed:-0}" = 1 ] && alive /run/slurm/slurmctld.pid; then
  log "slurm.conf changed: restarting slurmctld and slurmd"
  kill -TERM "$(cat /run/slurm/slurmctld.pid)"; if alive /run/slurm/slurmd.pid; then kill -TERM "$(cat /run/slurm/slurmd.pid)"; fi
  for _ in $(seq 100); do alive /run/slurm/slurmctld.pid || alive /run/slurm/slurmd.pid || break; sleep 0.1; done
fi
if ! alive /run/slurm/slurmctld.pid; then log "starting slurmctld"; slurmctld; fi
waitfor 60 slurmctld sh -c 'scontrol ping | grep -q UP'
slurmd_started_at=0
if ! alive /run/slurm/slurmd.pid; then slurmd_started_at=$(date +%s); log "starting slurmd"; slurmd; fi
node_ready() {  # node usable (no '*' = not responding) AND registered by the slurmd we just started
  case "$(sinfo -h -n "$HOST" -o %t)" in idle|mix|alloc) ;; *) return 1;; esac
  local st; st=$(scontrol -o show node "$HOST" | grep -o 'SlurmdStartTime=[^ ]*' | cut -d= -f2)
  [ "$(date -d "$st" +%s 2>/dev/null || echo 0)" -ge $((slurmd_started_at - 1)) ]
}
waitfor 60 "node idle" node_ready
if [ "$SLURM_ACCT" = 1 ]; then   # ctld registers the cluster itself; make sure it is there
  waitfor 30 "cluster in slurmdbd" sh -c "sacctmgr -n -P list cluster format=cluster | grep -qx local"
fi
log "slurm ready in $(( ($(date +%s%N) - t_start) / 1000000 )) ms"
sinfo
