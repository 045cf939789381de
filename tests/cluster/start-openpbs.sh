#!/usr/bin/env bash
# HpcJobs' real PBS test server. Based on the project's shared reference script (shared/reference/pbs); HpcJobs
# additions: the build is skipped only when $PBS_PREFIX holds a build of the same source (sha256 of the tarball in
# $PBS_PREFIX/.hpcjobs-source.sha256), and every step prints its time.
#
# start-openpbs.sh — build (if needed) and start a single-node OpenPBS
# (pbs_server + pbs_sched + pbs_mom + pbs_comm + its private PostgreSQL) on
# Debian 12, as root, without systemd. Idempotent: safe to re-run; a running
# healthy instance is left alone (only settings are re-applied and a test job run).
#
# Usage:  start-openpbs.sh [path/to/openpbs-src.tar.gz]
#   The tarball (top folder any name, e.g. `git archive --prefix=openpbs/`) is
#   only needed when $PBS_PREFIX/sbin/pbs_server.bin does not exist yet.
#
# Environment (all optional):
#   PBS_PREFIX=/opt/pbs            install prefix
#   PBS_BUILD_DIR=/opt/src/openpbs-build   where the tarball is unpacked and built
#   PBS_REBUILD=1                  rebuild + reinstall even if $PBS_PREFIX exists (only with a tarball given)
#   PBS_RESET=1                    stop PBS and wipe PBS_HOME (/var/spool/pbs: all jobs,
#                                  history, datastore) before starting
#   PBS_TEST_USER=pbsuser          non-root user created for jobs (PBS refuses root jobs)
#   PBS_SCHED_ITERATION=10         server scheduler_iteration in s (PBS default 600)
#   PBS_MOM_MIN_POLL=2 PBS_MOM_MAX_POLL=5   mom $min_check_poll/$max_check_poll in s
#                                  (PBS defaults 10/120: walltime kills then take ~20-120 s)
#   PBS_SMOKE=0                    skip the final test job
#
# Never touches /usr/bin (SLURM's torque wrappers live there): PBS commands stay
# in $PBS_PREFIX/bin and /etc/profile.d/pbs.{sh,csh} are removed.
set -euo pipefail

PBS_PREFIX=${PBS_PREFIX:-/opt/pbs}
PBS_BUILD_DIR=${PBS_BUILD_DIR:-/opt/src/openpbs-build}
PBS_HOME_DIR=/var/spool/pbs
TEST_USER=${PBS_TEST_USER:-pbsuser}
SCHED_ITER=${PBS_SCHED_ITERATION:-10}
MOM_MIN_POLL=${PBS_MOM_MIN_POLL:-2}
MOM_MAX_POLL=${PBS_MOM_MAX_POLL:-5}
# absolute at once: the build step cd's into $PBS_BUILD_DIR, and a relative path (as CI passes it) must still resolve
SRC_TARBALL=${1:-}
if [ -n "$SRC_TARBALL" ]; then SRC_TARBALL=$(readlink -f -- "$SRC_TARBALL"); fi
MARKER=$PBS_HOME_DIR/.start-openpbs-initialized
export DEBIAN_FRONTEND=noninteractive

T_START=$(date +%s.%N)
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }
log() { echo "[start-openpbs $(date +%T)] $*"; }
die() { echo "[start-openpbs] ERROR: $*" >&2; exit 1; }
declare -A TIMING=()

[ "$(id -u)" -eq 0 ] || die "must run as root"
[ -r /etc/os-release ] && . /etc/os-release && [ "${ID:-}" = debian ] || log "warning: not Debian; continuing"

BUILD_DEPS="gcc g++ make libtool autoconf automake pkg-config libhwloc-dev libx11-dev libxt-dev \
libedit-dev libical-dev libncurses-dev perl postgresql-server-dev-all libpq-dev python3-dev tcl-dev tk-dev \
swig libexpat1-dev libssl-dev libxext-dev libxft-dev libcjson-dev"
# runtime libraries of the PBS binaries (Debian 12 names) + PostgreSQL for the datastore
RUN_DEPS="expat libedit2 postgresql postgresql-contrib python3 libpython3.11 sudo tcl tk libical3 libcjson1 \
libhwloc15 libpq5 libssl3 iproute2 procps"

apt_updated=0
ensure_pkgs() {   # install the packages of $* that are not installed yet
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "apt-get install ${missing[*]}"
	if [ $apt_updated -eq 0 ]; then apt-get update -qq; apt_updated=1; fi
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/start-openpbs-apt.log 2>&1 \
		|| { tail -20 /tmp/start-openpbs-apt.log >&2; die "apt-get install failed"; }
}

pbs_up() {   # pbs_server answers (its datastore is up)
	"$PBS_PREFIX/bin/qstat" -B >/dev/null 2>&1
}

# ---------------------------------------------------------------- 1. packages
t=$(now)
# shellcheck disable=SC2086
ensure_pkgs $RUN_DEPS
need_build=0
SOURCE_MARK=$PBS_PREFIX/.hpcjobs-source.sha256
# PBS_REBUILD forces a build only where a source is given: build.ps1 starts the server again without one (and inherits
# the variable from .ci/run), and must then use the build just made
if [ ! -x "$PBS_PREFIX/sbin/pbs_server.bin" ] || { [ "${PBS_REBUILD:-0}" = 1 ] && [ -n "$SRC_TARBALL" ]; }; then need_build=1; fi
if [ $need_build -eq 0 ] && [ -n "$SRC_TARBALL" ] && [ -r "$SRC_TARBALL" ]; then
	want=$(sha256sum "$SRC_TARBALL" | cut -d' ' -f1)
	have=$(cat "$SOURCE_MARK" 2>/dev/null || true)
	if [ "$want" != "$have" ]; then log "installed build is of another source (${have:-unknown}); rebuilding"; need_build=1; fi
fi
# shellcheck disable=SC2086
[ $need_build -eq 1 ] && ensure_pkgs $BUILD_DEPS
TIMING[packages]=$(since "$t")

# ---------------------------------------------------------------- 2. build
if [ $need_build -eq 1 ]; then
	[ -n "$SRC_TARBALL" ] || die "$PBS_PREFIX/sbin/pbs_server.bin not found and no source tarball given (arg 1)"
	[ -r "$SRC_TARBALL" ] || die "cannot read $SRC_TARBALL"
	if pbs_up || [ -f "$PBS_HOME_DIR/server_priv/server.lock" ]; then
		log "stopping running PBS before reinstall"
		"$PBS_PREFIX/libexec/pbs_init.d" stop || true
	fi
	log "building OpenPBS (about 2 min on 2 cores) from $SRC_TARBALL in $PBS_BUILD_DIR"
	rm -rf "$PBS_BUILD_DIR"; mkdir -p "$PBS_BUILD_DIR"
	tar -xzf "$SRC_TARBALL" -C "$PBS_BUILD_DIR" --strip-components=1
	# the source mark is computed before the cd below, from the tarball that is about to be built
	source_sum=$(sha256sum "$SRC_TARBALL" | cut -d' ' -f1)
	cd "$PBS_BUILD_DIR"
	# Build against Debian's /usr/bin/python3: with root's PATH containing e.g. pyenv shims,
	# configure would pick that Python and bake its libpython path into RUNPATH.
	export PATH=/usr/sbin:/usr/bin:/sbin:/bin
	t=$(now); ./autogen.sh >build-autogen.log 2>&1 || { tail -30 build-autogen.log >&2; die "autogen.sh failed"; }
	TIMING[autogen]=$(since "$t")
	t=$(now); ./configure --prefix="$PBS_PREFIX" --with-python=/usr >build-configure.log 2>&1 || { tail -30 build-configure.log >&2; die "configure failed"; }
	TIMING[configure]=$(since "$t")
	t=$(now); make -j"$(nproc)" >build-make.log 2>&1 || { tail -40 build-make.log >&2; die "make failed"; }
	TIMING[make]=$(since "$t")
	t=$(now); make install >build-install.log 2>&1 || { tail -30 build-install.log >&2; die "make install failed"; }
	TIMING[make_install]=$(since "$t")
	echo "$source_sum" >"$SOURCE_MARK"
	cd /
fi
# INSTALL step 12: pbs_iff / pbs_rcp must be setuid root (non-root clients authenticate via pbs_iff)
chmod 4755 "$PBS_PREFIX/sbin/pbs_iff" "$PBS_PREFIX/sbin/pbs_rcp"
PBS_VERSION=$("$PBS_PREFIX/bin/qstat" --version 2>&1 | sed 's/.*= *//')

# ---------------------------------------------------------------- 3. hostname
# PBS refuses to run when the host name resolves only to 127.x ("Could not find any
# usable IP address for host <name>" in server_logs / mom_logs). Add a non-loopback
# address for it; keep existing lines (SLURM etc. keep resolving as before).
HOST=$(hostname)
if ! getent ahostsv4 "$HOST" | awk '{print $1}' | grep -qv '^127\.'; then
	IP=$(ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -1)
	[ -n "$IP" ] || IP=$(ip -4 -o addr show scope global 2>/dev/null | awk '{sub(/\/.*/,"",$4); print $4; exit}')
	if [ -z "$IP" ]; then
		# no network at all: a dummy interface gives PBS a non-loopback address
		IP=10.254.254.254
		ip link show pbsdummy0 >/dev/null 2>&1 || { ip link add pbsdummy0 type dummy && ip addr add $IP/32 dev pbsdummy0 && ip link set pbsdummy0 up; } \
			|| die "host $HOST resolves only to loopback and no dummy interface could be created"
	fi
	log "adding '$IP $HOST' to /etc/hosts (PBS needs a non-loopback address for the host name)"
	echo "$IP $HOST   # added by start-openpbs.sh" >>/etc/hosts
fi

# ---------------------------------------------------------------- 4. configure
if [ "${PBS_RESET:-0}" = 1 ] || { [ -d "$PBS_HOME_DIR" ] && [ ! -f "$MARKER" ]; }; then
	# a PBS_HOME not initialised by this script (or a failed first start, e.g. hostname
	# unresolvable: then the datastore has no server object and pbs_server exits silently
	# on every later start because it would need "-t create") is wiped
	log "resetting $PBS_HOME_DIR"
	if [ -x "$PBS_PREFIX/libexec/pbs_init.d" ]; then "$PBS_PREFIX/libexec/pbs_init.d" stop >/dev/null 2>&1 || true; fi
	rm -rf "$PBS_HOME_DIR"
fi
if [ ! -f /etc/pbs.conf ] || [ ! -d "$PBS_HOME_DIR" ]; then
	log "pbs_postinstall"
	"$PBS_PREFIX/libexec/pbs_postinstall" >/tmp/start-openpbs-postinstall.log 2>&1 \
		|| { cat /tmp/start-openpbs-postinstall.log >&2; die "pbs_postinstall failed"; }
fi
# single node: server, sched, comm and mom all here
sed -i -e 's/^PBS_START_MOM=.*/PBS_START_MOM=1/' -e 's/^PBS_START_SERVER=.*/PBS_START_SERVER=1/' \
	-e 's/^PBS_START_SCHED=.*/PBS_START_SCHED=1/' -e 's/^PBS_START_COMM=.*/PBS_START_COMM=1/' \
	-e "s/^PBS_SERVER=.*/PBS_SERVER=$HOST/" /etc/pbs.conf
# keep PATH untouched: SLURM's /usr/bin/qsub etc. must stay the ones found
rm -f /etc/profile.d/pbs.sh /etc/profile.d/pbs.csh
# faster resource polling by the mom (walltime enforcement), and memory enforced as sites do ($enforce mem: a job over
# its mem request is killed at the next poll, Exit_status -27, JOB_EXEC_KILL_MEM)
MOMCFG=$PBS_HOME_DIR/mom_priv/config
if [ -f "$MOMCFG" ]; then
	sed -i -e '/^\$min_check_poll/d' -e '/^\$max_check_poll/d' -e '/^\$enforce mem/d' "$MOMCFG"
	printf '$min_check_poll %s\n$max_check_poll %s\n$enforce mem\n' "$MOM_MIN_POLL" "$MOM_MAX_POLL" >>"$MOMCFG"
fi

# ---------------------------------------------------------------- 5. start
t=$(now)
if pbs_up && "$PBS_PREFIX/libexec/pbs_init.d" status >/dev/null 2>&1 \
	&& [ "$("$PBS_PREFIX/libexec/pbs_init.d" status 2>&1 | grep -c 'is pid\|is [0-9]')" -ge 4 ]; then
	log "PBS already running"
	# pick up a changed mom config
	[ -f "$PBS_HOME_DIR/mom_priv/mom.lock" ] && kill -HUP "$(head -1 "$PBS_HOME_DIR/mom_priv/mom.lock")" 2>/dev/null || true
else
	log "starting PBS (pbs_init.d start)"
	"$PBS_PREFIX/libexec/pbs_init.d" start >/tmp/start-openpbs-init.log 2>&1 || { cat /tmp/start-openpbs-init.log >&2; die "pbs_init.d start failed"; }
fi
for i in $(seq 1 120); do pbs_up && break; sleep 0.5; done
pbs_up || { cat /tmp/start-openpbs-init.log >&2 || true; tail -20 "$PBS_HOME_DIR"/server_logs/* >&2 || true; die "pbs_server does not answer"; }
TIMING[daemons_up]=$(since "$t")
touch "$MARKER"

# ---------------------------------------------------------------- 6. server settings
QMGR="$PBS_PREFIX/bin/qmgr"
# flatuid: clients reach the server over 127.0.0.1, which reverse-resolves to
# "localhost" != server host name, so without it every qsub from a non-root user
# fails with "qsub: Bad UID for job execution" (hosts.equiv check).
"$QMGR" -c 'set server flatuid = True'
"$QMGR" -c 'set server job_history_enable = True'
# root's own jobs are refused ("Bad UID for job execution", exit 175) unless root is in acl_roots; CI and the tests
# run as root, so allow it (verified: a root job then runs as euser root and ends F/Exit_status 0).
"$QMGR" -c 'set server acl_roots = root@*'
"$QMGR" -c "set server scheduler_iteration = $SCHED_ITER"
"$QMGR" -c 'set server scheduling = True'
"$QMGR" -c "list node $HOST" >/dev/null 2>&1 || "$QMGR" -c "create node $HOST"
# a second execution queue, for moving a waiting job between queues (Set-HpcJob -Partition: qmove)
if ! "$QMGR" -c "list queue long" >/dev/null 2>&1; then
	"$QMGR" -c "create queue long queue_type=execution"
	"$QMGR" -c "set queue long enabled = True"
	"$QMGR" -c "set queue long started = True"
fi
# several vnodes with GPUs (multi-node and GPU tests): ngpus is a custom consumable resource the scheduler places by;
# the mom defines two child vnodes of one CPU and one GPU each beside the host's own (its two CPUs, no GPU), so that
# select=2:ncpus=1:ngpus=1 lands on two vnodes and ngpus=3 can never run
"$QMGR" -c "list resource ngpus" >/dev/null 2>&1 || "$QMGR" -c "create resource ngpus type=long, flag=nh"
SCHEDCFG=$PBS_HOME_DIR/sched_priv/sched_config
if ! grep -q '^resources:.*ngpus' "$SCHEDCFG"; then
	sed -i 's/^resources: "\(.*\)"/resources: "\1, ngpus"/' "$SCHEDCFG"
	[ -s "$PBS_HOME_DIR/sched_priv/sched.lock" ] && kill -HUP "$(head -1 "$PBS_HOME_DIR/sched_priv/sched.lock")" 2>/dev/null || true
fi
VNODES=$(mktemp)
cat >"$VNODES" <<EOF
\$configversion 2
$HOST: resources_available.ncpus = 2
$HOST[0]: resources_available.ncpus = 1
$HOST[0]: resources_available.ngpus = 1
$HOST[0]: resources_available.mem = 2gb
$HOST[1]: resources_available.ncpus = 1
$HOST[1]: resources_available.ngpus = 1
$HOST[1]: resources_available.mem = 2gb
EOF
if ! "$PBS_PREFIX/sbin/pbs_mom" -s show hpcjobs-vnodes 2>/dev/null | cmp -s - "$VNODES"; then
	"$PBS_PREFIX/sbin/pbs_mom" -s remove hpcjobs-vnodes >/dev/null 2>&1 || true
	"$PBS_PREFIX/sbin/pbs_mom" -s insert hpcjobs-vnodes "$VNODES"
	kill -HUP "$(head -1 "$PBS_HOME_DIR/mom_priv/mom.lock")"
fi
rm -f "$VNODES"

# ---------------------------------------------------------------- 7. node free
t=$(now)
state=""
for i in $(seq 1 120); do
	state=$("$PBS_PREFIX/bin/pbsnodes" "$HOST" 2>/dev/null | awk -F' = ' '$1 ~ /^ *state$/ {print $2}')
	case "$state" in free|job-busy|job-exclusive) break ;; esac
	sleep 0.5
done
case "$state" in free|job-busy|job-exclusive) ;; *) tail -20 "$PBS_HOME_DIR"/mom_logs/* >&2 || true; die "node $HOST not free (state '$state')";; esac
for i in $(seq 1 60); do
	[ "$("$PBS_PREFIX/bin/pbsnodes" "$HOST[1]" 2>/dev/null | awk -F' = ' '$1 ~ /^ *state$/ {print $2}')" = free ] && break
	sleep 0.5
done
TIMING[node_free]=$(since "$t")

# ---------------------------------------------------------------- 8. test user
if ! id "$TEST_USER" >/dev/null 2>&1; then
	log "creating user $TEST_USER"
	useradd -m -s /bin/bash "$TEST_USER"
fi

# ---------------------------------------------------------------- 9. smoke job
if [ "${PBS_SMOKE:-1}" != 0 ]; then
	t=$(now)
	home=$(getent passwd "$TEST_USER" | cut -d: -f6)
	jid=$(runuser -u "$TEST_USER" -- bash -c "cd '$home' && echo 'exit 0' | '$PBS_PREFIX/bin/qsub' -N start-openpbs-smoke -o /dev/null -e /dev/null") \
		|| die "qsub as $TEST_USER failed: $jid"
	ex=""
	for i in $(seq 1 240); do
		ex=$("$PBS_PREFIX/bin/qstat" -x -f "$jid" 2>/dev/null | awk -F' = ' '$1 ~ /Exit_status/ {print $2}')
		[ -n "$ex" ] && break
		sleep 0.25
	done
	[ "$ex" = 0 ] || { "$PBS_PREFIX/bin/qstat" -x -f "$jid" >&2 || true; die "smoke job $jid did not finish with Exit_status 0 (got '$ex')"; }
	TIMING[smoke_job]=$(since "$t")
	log "smoke job $jid finished, Exit_status 0"
fi

# ---------------------------------------------------------------- summary
TIMING[total]=$(since "$T_START")
echo "OpenPBS $PBS_VERSION ready: server $HOST, commands in $PBS_PREFIX/bin (not on PATH), job user $TEST_USER"
for k in packages autogen configure make make_install daemons_up node_free smoke_job total; do
	[ -n "${TIMING[$k]:-}" ] && printf '  %-13s %6ss\n' "$k" "${TIMING[$k]}"
done
exit 0
