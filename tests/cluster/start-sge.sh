#!/usr/bin/env bash
# A real Son of Grid Engine 8.1.9 (Debian 12's gridengine-master, -exec, -client) on this host, as root, without systemd:
# the cluster HpcJobs' Grid Engine tests run on. Adapted from the project's shared reference recipe (reference/sge):
# qmaster + execd on one host, queue all.q (slots = CPUs, shell bash), a $pe_slots parallel environment "smp", a second
# PE "mpi" ($fill_up), h_vmem consumable (default 1G per slot), a project "hpcproj", a second queue "long.q", and
# accounting flushed at once (real sites keep the 15 s default; HpcJobs handles both).
#
# gridengine-client conflicts with slurm-wlm-torque (both own /usr/bin/qsub, qstat, qdel): start-slurm.sh unpacks the
# wrappers into /opt/slurm-torque instead, so installing this removes nothing the tests use. OpenPBS lives in /opt/pbs.
#
# Idempotent: a qmaster that answers is kept; a stale pid file from an earlier boot is removed. Env: SGE_SLOTS, SGE_MEM.
set -euo pipefail
export SGE_ROOT=/var/lib/gridengine SGE_CELL=default
COMMON=$SGE_ROOT/$SGE_CELL/common
SPOOL=/var/spool/gridengine
HN=$(hostname)
SLOTS=${SGE_SLOTS:-$(nproc)}
MEM=${SGE_MEM:-8G}
log() { echo "[start-sge $(date +%T.%N | cut -c1-12)] $*"; }
t0=$(date +%s%N)
. "$(dirname "$0")/pidfile.sh"
[ "$(id -u)" -eq 0 ] || { echo "must run as root" >&2; exit 1; }

# ---------- 1. packages ----------
pkgs="gridengine-master gridengine-exec gridengine-client"
missing=$(for p in $pkgs; do dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"; done | tr "\n" " ")
if [ -n "$missing" ]; then
  log "apt-get install $missing"
  for p in gridengine-master gridengine-common gridengine-client; do
    printf '%s shared/gridenginemaster string %s\n%s shared/gridenginecell string default\n%s shared/gridengineconfig boolean true\n' \
      "$p" "$HN" "$p" "$p"
  done | debconf-set-selections
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; created_policy=1; fi
  [ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -print -quit 2>/dev/null)" ] || apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  [ "$created_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
fi
log "packages ok ($(dpkg-query -W -f='${Version}' gridengine-master))"

# ---------- 2. host names: one name for this host, whatever the loopback lines say ----------
IP=$(getent hosts "$HN" | awk 'NR==1{print $1}')
REV=$(getent hosts "$IP" | awk 'NR==1{print $2}')
if [ -n "$REV" ] && [ "$REV" != "$HN" ]; then
  echo "$HN $REV" > "$COMMON/host_aliases"; chown sgeadmin:sgeadmin "$COMMON/host_aliases"
fi
echo "$HN" > "$COMMON/act_qmaster"

# ---------- 3. qmaster ----------
if ! qconf -sh >/dev/null 2>&1; then
  # pid files from an earlier boot (or an image taken while the daemons ran) name other processes now
  for f in "$SPOOL/qmaster/qmaster.pid" /run/gridengine/execd.pid "$SPOOL"/execd/*/execd.pid; do
    [ -f "$f" ] || continue
    alive "$f" sge_qmaster || alive "$f" sge_execd || rm -f "$f"
  done
  log "starting sge_qmaster"
  /etc/init.d/gridengine-master start >/dev/null
  for _ in $(seq 300); do qconf -sh >/dev/null 2>&1 && break; sleep 0.2; done
fi
qconf -sh >/dev/null || { echo "qmaster does not answer" >&2; tail -n 20 "$SPOOL/qmaster/messages" >&2 || true; exit 1; }
log "qmaster answers"

# ---------- 4. the cell (once: Debian's init_cluster creates no queue, PE, host group or exec host) ----------
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
if ! qconf -sql 2>/dev/null | grep -qx all.q; then
  log "configuring the cell"
  qconf -as "$HN" >/dev/null
  mkdir -p "$W/conf"; qconf -sconf global > "$W/conf/global"          # the file must be named "global"
  sed -i -E 's/^min_uid .*/min_uid                      0/; s/^min_gid .*/min_gid                      0/; s/flush_time=([0-9:]+)/flush_time=\1 accounting_flush_time=00:00:00/' "$W/conf/global"
  qconf -Mconf "$W/conf/global" >/dev/null
  qconf -ssconf > "$W/sched"
  sed -i -E 's/^schedule_interval .*/schedule_interval                 0:0:1/; s/^flush_submit_sec .*/flush_submit_sec                  1/; s/^flush_finish_sec .*/flush_finish_sec                  1/' "$W/sched"
  qconf -Msconf "$W/sched" >/dev/null
  qconf -sc > "$W/centry"                                              # h_vmem consumable, 1G per slot by default
  sed -i -E 's/^(h_vmem +h_vmem +MEMORY +<= +YES +)NO( +)0( +0)$/\1YES\21G\3/' "$W/centry"
  qconf -Mc "$W/centry" >/dev/null
  printf 'hostname %s\nload_scaling NONE\ncomplex_values h_vmem=%s\nuser_lists NONE\nxuser_lists NONE\nprojects NONE\nxprojects NONE\nusage_scaling NONE\nreport_variables NONE\n' "$HN" "$MEM" > "$W/exechost"
  qconf -Ae "$W/exechost" >/dev/null
  printf 'group_name @allhosts\nhostlist %s\n' "$HN" > "$W/allhosts"; qconf -Ahgrp "$W/allhosts" >/dev/null
  for pe in 'smp $pe_slots' 'mpi $fill_up'; do
    printf 'pe_name %s\nslots 999\nuser_lists NONE\nxuser_lists NONE\nstart_proc_args NONE\nstop_proc_args NONE\nallocation_rule %s\ncontrol_slaves FALSE\njob_is_first_task TRUE\nurgency_slots min\naccounting_summary FALSE\nqsort_args NONE\n' ${pe} > "$W/pe"
    qconf -Ap "$W/pe" >/dev/null
  done
  printf 'name hpcproj\noticket 0\nfshare 0\nacl NONE\nxacl NONE\n' > "$W/project"; qconf -Aprj "$W/project" >/dev/null
  for q in all.q long.q; do
    seq=0; [ "$q" = long.q ] && seq=1
    cat > "$W/queue" <<EOF
qname $q
hostlist @allhosts
seq_no $seq
load_thresholds NONE
suspend_thresholds NONE
nsuspend 1
suspend_interval 00:05:00
priority 0
min_cpu_interval 00:05:00
processors UNDEFINED
qtype BATCH INTERACTIVE
ckpt_list NONE
pe_list smp mpi
rerun FALSE
slots $SLOTS
tmpdir /tmp
shell /bin/bash
prolog NONE
epilog NONE
shell_start_mode unix_behavior
starter_method NONE
suspend_method NONE
resume_method NONE
terminate_method NONE
notify 00:00:60
owner_list NONE
user_lists NONE
xuser_lists NONE
subordinate_list NONE
complex_values NONE
projects NONE
xprojects NONE
calendar NONE
initial_state default
s_rt INFINITY
h_rt INFINITY
s_cpu INFINITY
h_cpu INFINITY
s_fsize INFINITY
h_fsize INFINITY
s_data INFINITY
h_data INFINITY
s_stack INFINITY
h_stack INFINITY
s_core INFINITY
h_core INFINITY
s_rss INFINITY
h_rss INFINITY
s_vmem INFINITY
h_vmem INFINITY
EOF
    qconf -Aq "$W/queue" >/dev/null
  done
fi

# ---------- 5. execd; wait until the queue instance takes jobs (no state flags) ----------
if ! alive /run/gridengine/execd.pid sge_execd; then
  log "starting sge_execd"
  /etc/init.d/gridengine-exec start >/dev/null
fi
for _ in $(seq 300); do
  qstat -f -q "all.q@$HN" 2>/dev/null | grep -Eq "^all.q@$HN +BIP +[0-9/]+ +[0-9.-]+ +lx-amd64 *$" && break; sleep 0.2
done
qstat -f -q "all.q@$HN" | grep -Eq "^all.q@$HN +BIP +[0-9/]+ +[0-9.-]+ +lx-amd64 *$" || { echo "queue all.q@$HN does not take jobs:" >&2; qstat -f >&2; exit 1; }
log "execd up: all.q@$HN takes jobs"

# ---------- 6. smoke test: -sync y waits and returns the job's exit status ----------
printf '#!/bin/bash\necho "job $JOB_ID on $HOSTNAME"\n' > "$W/smoke.sh"
jid=$(cd "$W" && qsub -terse -sync y -cwd -j y -o smoke.log -l h_vmem=100M,h_rt=0:1:0 smoke.sh | head -n 1)
log "smoke job $jid ran; SGE ready in $(( ($(date +%s%N) - t0) / 1000000 )) ms (SGE_ROOT=$SGE_ROOT SGE_CELL=$SGE_CELL)"
# Stop: tests/cluster/stop-sge.sh (Debian's init script "stop" does not match the running daemons)
