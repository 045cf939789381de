#!/bin/bash
# Changes the running test cluster's slurm.conf for one test and applies it (used by the SLURM integration tests).
# Usage: reconfigure-slurm.sh min-job-age SECONDS   (scontrol reconfigure)
#        reconfigure-slurm.sh accounting on|off     (restarts slurmctld: the accounting plugin is read at start only)
set -euo pipefail
conf=/etc/slurm/slurm.conf
. "$(dirname "$0")/pidfile.sh"
restart_ctld() {
  stop_daemon /run/slurm/slurmctld.pid slurmctld
  slurmctld
  for _ in $(seq 100); do scontrol ping 2>/dev/null | grep -q UP && return 0; sleep 0.1; done
  echo "slurmctld did not come back" >&2; return 1
}
case "$1" in
  min-job-age)
    sed -i "s/^MinJobAge=.*/MinJobAge=$2/" "$conf"
    scontrol reconfigure ;;
  accounting)
    if [ "$2" = off ]; then
      # limits cannot be enforced without the database: their lines go with it
      sed -i 's|^AccountingStorageType=.*|AccountingStorageType=accounting_storage/none|; /^AccountingStorageHost=/d; /^AccountingStoragePort=/d; /^AccountingStorageEnforce=/d; /^AccountingStorageTRES=/d' "$conf"
    else
      sed -i 's|^AccountingStorageType=.*|AccountingStorageType=accounting_storage/slurmdbd\nAccountingStorageHost=localhost\nAccountingStoragePort=6819\nAccountingStorageEnforce=associations,limits,qos\nAccountingStorageTRES=gres/gpu|' "$conf"
    fi
    restart_ctld ;;
  *) echo "usage: $0 min-job-age SECONDS | accounting on|off" >&2; exit 2 ;;
esac
