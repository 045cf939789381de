# Sourced by the cluster scripts. A pid file left by an earlier boot (or by a machine image taken while the daemons ran)
# can name a pid that now belongs to some other process, so "kill -0 PID" alone is not proof that the daemon runs:
# pid_of FILE NAME prints the pid only when that process's command name (/proc/PID/comm) is NAME.
pid_of() {
  local pid
  pid=$(head -c 32 "$1" 2>/dev/null | tr -dc 0-9) || true
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] && echo "$pid"
}
alive() { pid_of "$1" "$2" >/dev/null; }
# stop_daemon FILE NAME: SIGTERM the daemon named in FILE (only if it is NAME), wait up to 10 s, remove the file
stop_daemon() {
  local pid
  if pid=$(pid_of "$1" "$2"); then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
  fi
  rm -f "$1"
}
