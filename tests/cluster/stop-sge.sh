#!/usr/bin/env bash
# Stop the sge_execd and sge_qmaster that start-sge.sh started, by their pid files (only if the pid is still that
# daemon). Debian's init scripts' "stop" does not match the running daemons. Safe to re-run.
. "$(dirname "$0")/pidfile.sh"
for f in /run/gridengine/execd.pid /var/spool/gridengine/execd/*/execd.pid; do
  [ -f "$f" ] && stop_daemon "$f" sge_execd
done
stop_daemon /var/spool/gridengine/qmaster/qmaster.pid sge_qmaster
exit 0
