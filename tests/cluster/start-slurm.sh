#!/bin/bash
# Slurm (Debian 12: slurm-wlm 22.05.8) without systemd, as root: the real cluster HpcJobs' SLURM tests run on. The node
# named after this host serves the fast single-node tests; three more nodes n1..n3 (the multi-node, GPU, QoS and account
# tests) are each a slurmd of their own on this machine (Debian builds Slurm with multiple-slurmd: slurmd -N NAME, its
# own port, spool and log), started in its own UTS namespace so that `hostname` in a job names its node. n1 and n2 carry
# fake GPUs as GRES (character devices /dev/hpcjobs-gpu*, made with mknod, so SLURM sets CUDA_VISIBLE_DEVICES); the
# nodes differ in memory and features. With accounting, limits are enforced (associations, limits, qos): QoS "high"
# allows one CPU per job; account "project123" exists, and every test user has an association with account "root".
# Based on the project's shared reference script; HpcJobs additions: SLURM_MIN_JOB_AGE, the node feature "hpcjobs"
# (so that --constraint can be checked), and slurm-wlm-torque (SchedMD's PBS-style qsub/qstat/qdel wrappers), unpacked
# into /opt/slurm-torque rather than installed: the package conflicts with gridengine-client (both own /usr/bin/qsub),
# and start-sge.sh installs that one. The Torque-dialect tests put /opt/slurm-torque/usr/bin first on PATH.
# Installs (if needed), configures and starts: munged, [mariadbd, slurmdbd,] slurmctld, slurmd.
# Usage: start-slurm.sh            # with accounting (sacct works): MariaDB + slurmdbd
#        SLURM_ACCT=0 start-slurm.sh   # no DB: faster, sacct says "Slurm accounting storage is disabled"
#        SLURM_CGROUP=0 start-slurm.sh # proctrack/linuxproc + task/none: --mem not enforced (the default is cgroups
#                                      # where cgroup v1's memory controller is mounted: OUT_OF_MEMORY for real)
# Idempotent: a daemon whose pid file points at a live process is not started again.
set -euo pipefail
SLURM_ACCT=${SLURM_ACCT:-1}
# cgroups by default where cgroup v1's memory and freezer controllers are mounted (this machine and CI's; Slurm 22.05's
# cgroup/v2 needs systemd): --mem is enforced by the kernel and a job over it ends OUT_OF_MEMORY, as on real clusters
if [ -z "${SLURM_CGROUP:-}" ]; then
  if [ -d /sys/fs/cgroup/memory ] && [ -d /sys/fs/cgroup/freezer ]; then SLURM_CGROUP=1; else SLURM_CGROUP=0; fi
fi
SLURM_MIN_JOB_AGE=${SLURM_MIN_JOB_AGE:-300}
CONF_SRC_DIR=${CONF_SRC_DIR:-}          # optional: dir holding a ready slurm.conf / slurmdbd.conf
DBPASS=${SLURM_DBPASS:-slurmdbpass}
log() { echo "[start-slurm $(date +%T.%N | cut -c1-12)] $*"; }
t_start=$(date +%s%N)
. "$(dirname "$0")/pidfile.sh"   # alive FILE NAME: the pid file names a live process called NAME
waitfor() { # waitfor SECONDS DESCRIPTION CMD...
  local n=$(( $1 * 10 )) what=$2; shift 2
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "timeout waiting for $what" >&2; return 1; }

# ---------- 1. packages (daemons must not be auto-started by apt: no systemd here) ----------
pkgs="slurmctld slurmd slurm-client munge libslurm-perl libslurmdb-perl libswitch-perl"
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
TORQUE_PREFIX=/opt/slurm-torque
if [ ! -x "$TORQUE_PREFIX/usr/bin/qsub" ]; then
  log "slurm-wlm-torque: apt-get download, unpacked into $TORQUE_PREFIX"
  tdir=$(mktemp -d)
  (cd "$tdir" && apt-get download -qq slurm-wlm-torque >/dev/null 2>&1) || { apt-get update -qq; (cd "$tdir" && apt-get download -qq slurm-wlm-torque >/dev/null); }
  dpkg -x "$tdir"/slurm-wlm-torque_*.deb "$TORQUE_PREFIX"
  rm -rf "$tdir"
fi
# the wrappers run SLURM's commands from their own folder ($FindBin)
for p in sbatch srun salloc squeue scancel scontrol sinfo sacct; do ln -sf "/usr/bin/$p" "$TORQUE_PREFIX/usr/bin/$p"; done

# ---------- 2. host name must resolve ----------
HOST=$(hostname -s)
getent hosts "$HOST" >/dev/null || echo "127.0.0.1 $HOST" >> /etc/hosts

# ---------- 3. config ----------
mkdir -p /etc/slurm /run/slurm /run/munge /var/log/slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd
for i in 0 1 2; do [ -c /dev/hpcjobs-gpu$i ] || mknod -m 666 /dev/hpcjobs-gpu$i c 195 $i; done   # fake GPUs (NVIDIA's major)
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
AccountingStoragePort=6819
AccountingStorageEnforce=associations,limits,qos
AccountingStorageTRES=gres/gpu"
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
SlurmdSpoolDir=/var/lib/slurm/slurmd/%n
SlurmctldPidFile=/run/slurm/slurmctld.pid
SlurmdPidFile=/run/slurm/slurmd-%n.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
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
# the multi-node part: three more slurmd on this machine (see the top of start-slurm.sh)
GresTypes=gpu
NodeName=n1 NodeHostname=$HOST NodeAddr=127.0.0.1 Port=6821 CPUs=2 RealMemory=2000 Features=gpu,intel Gres=gpu:a100:2 State=UNKNOWN
NodeName=n2 NodeHostname=$HOST NodeAddr=127.0.0.1 Port=6822 CPUs=2 RealMemory=3000 Features=gpu,amd Gres=gpu:a100:1 State=UNKNOWN
NodeName=n3 NodeHostname=$HOST NodeAddr=127.0.0.1 Port=6823 CPUs=2 RealMemory=6000 Features=bigmem,amd State=UNKNOWN
PartitionName=multi Nodes=n[1-3] MaxTime=INFINITE State=UP PriorityTier=1 PreemptMode=OFF
PartitionName=gpu Nodes=n[1-2] MaxTime=INFINITE State=UP PriorityTier=1 PreemptMode=OFF
EOF
  cat > /etc/slurm/gres.conf.new <<EOF
NodeName=n1 Name=gpu Type=a100 File=/dev/hpcjobs-gpu[0-1]
NodeName=n2 Name=gpu Type=a100 File=/dev/hpcjobs-gpu2
EOF
  if cmp -s /etc/slurm/gres.conf.new /etc/slurm/gres.conf; then rm /etc/slurm/gres.conf.new
  else mv /etc/slurm/gres.conf.new /etc/slurm/gres.conf; conf_changed=1; fi
  if cmp -s /etc/slurm/slurm.conf.new /etc/slurm/slurm.conf; then rm /etc/slurm/slurm.conf.new
  else mv /etc/slurm/slurm.conf.new /etc/slurm/slurm.conf; conf_changed=1; fi
fi

# ---------- 4. munge ----------
[ -s /etc/munge/munge.key ] || { mungekey --create --force 2>/dev/null || dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=128 status=none; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
if ! alive /run/munge/munged.pid munged; then
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
  if ! alive /run/slurm/slurmdbd.pid slurmdbd; then log "starting slurmdbd"; slurmdbd; fi
  waitfor 60 slurmdbd bash -c 'exec 3<>/dev/tcp/127.0.0.1/6819'
fi

# ---------- 6. slurmctld + slurmd ----------
# a running controller keeps the configuration it started with (PreemptType is read at start only)
if [ "${conf_changed:-0}" = 1 ] && alive /run/slurm/slurmctld.pid slurmctld; then
  log "slurm.conf changed: restarting slurmctld and slurmd"
  for f in /run/slurm/slurmd.pid /run/slurm/slurmd-*.pid; do stop_daemon "$f" slurmd; done
  stop_daemon /run/slurm/slurmctld.pid slurmctld
fi
if ! alive /run/slurm/slurmctld.pid slurmctld; then log "starting slurmctld"; slurmctld; fi
waitfor 60 slurmctld sh -c 'scontrol ping | grep -q UP'
slurmd_started_at=0
rm -f /run/slurm/slurmd.pid   # (the single-node layout's pid file, before %n)
for node in "$HOST" n1 n2 n3; do
  mkdir -p "/var/lib/slurm/slurmd/$node"
  alive "/run/slurm/slurmd-$node.pid" slurmd && continue
  slurmd_started_at=$(date +%s); log "starting slurmd -N $node"
  if [ "$node" = "$HOST" ]; then slurmd -N "$node"
  else unshare --uts sh -c 'hostname "$1"; exec slurmd -N "$1"' sh "$node"; fi
done
node_ready() {  # node usable (no '*' = not responding) AND registered by the slurmd we just started
  case "$(sinfo -h -n "$1" -o %t)" in idle|mix|alloc) ;; *) return 1;; esac
  local st; st=$(scontrol -o show node "$1" | grep -o 'SlurmdStartTime=[^ ]*' | cut -d= -f2)
  [ "$(date -d "$st" +%s 2>/dev/null || echo 0)" -ge $((slurmd_started_at - 5)) ]
}
for node in "$HOST" n1 n2 n3; do waitfor 60 "node $node idle" node_ready "$node"; done
if [ "$SLURM_ACCT" = 1 ]; then   # ctld registers the cluster itself; make sure it is there
  waitfor 30 "cluster in slurmdbd" sh -c "sacctmgr -n -P list cluster format=cluster | grep -qx local"
  # limits are enforced: every user the tests submit as needs an association; QoS "high" allows one CPU per job
  # (hpcjobs-other is the tests' second user; made here so that it has one; start-sshd.sh adds its own users')
  id -u hpcjobs-other >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin hpcjobs-other
  for u in root hpcjobs-other pbsuser hpcbash hpctcsh; do
    id -u "$u" >/dev/null 2>&1 || continue
    sacctmgr -n -P list assoc user="$u" account=root format=user | grep -qx "$u" || sacctmgr -i -Q add user "$u" account=root >/dev/null
  done
  # DenyOnLimit: sbatch refuses a job over the limit instead of leaving it pending for ever
  sacctmgr -n -P list qos format=name | grep -qx high || sacctmgr -i -Q add qos high >/dev/null
  sacctmgr -i -Q modify qos where name=high set MaxTRESPerJob=cpu=1 Priority=10 Flags=DenyOnLimit >/dev/null || true
  sacctmgr -n -P list account format=account | grep -qx project123 || sacctmgr -i -Q add account project123 Description=tests Organization=hpcjobs >/dev/null
  sacctmgr -n -P list assoc user=root account=project123 format=user | grep -qx root || sacctmgr -i -Q add user root account=project123 >/dev/null
  sacctmgr -i -Q modify user where name=root set qos=normal,high >/dev/null
fi
log "slurm ready in $(( ($(date +%s%N) - t_start) / 1000000 )) ms"
sinfo
