#!/usr/bin/env bash
# A real sshd on 127.0.0.1 for the remote-cluster tests (issue 17): Debian's openssh-server with its own port, config
# and host keys (nothing of the system's sshd is touched), key-only authentication, and two test users whose login
# shells differ (bash and tcsh) and whose jobs SLURM and OpenPBS on this machine accept.
#
# The client side is root's: ~/.ssh/config gets an Include of a file this script owns, with Host aliases
#   hpc-bash  -> hpcbash@127.0.0.1:$PORT      hpc-tcsh -> hpctcsh@127.0.0.1:$PORT
#   hpc-jump  -> hpctcsh@127.0.0.1:$PORT through ProxyJump hpc-bash (the same sshd, to prove ProxyJump works)
# and the server's host key in a known_hosts file of its own (StrictHostKeyChecking stays on).
# Accepted connections are logged to $LOG ("Accepted publickey for ..."), which the tests count.
#
# Idempotent; run as root. Env: HPCJOBS_SSHD_PORT (default 2222).
set -euo pipefail
PORT="${HPCJOBS_SSHD_PORT:-2222}"
DIR=/etc/hpcjobs-sshd
LOG=/var/log/hpcjobs-sshd.log
PIDFILE=/run/hpcjobs-sshd.pid
log() { echo "[sshd $(date +%T)] $*"; }

need=()
command -v sshd >/dev/null || need+=(openssh-server)
command -v ssh >/dev/null || need+=(openssh-client)
command -v tcsh >/dev/null || need+=(tcsh)
if [ ${#need[@]} -gt 0 ]; then
  log "apt-get install ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi

mkdir -p "$DIR" /run/sshd
chmod 755 "$DIR"
[ -s "$DIR/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$DIR/ssh_host_ed25519_key"
[ -s "$DIR/client_key" ] || ssh-keygen -q -t ed25519 -N '' -C hpcjobs-test-client -f "$DIR/client_key"
[ -s "$DIR/stranger_key" ] || ssh-keygen -q -t ed25519 -N '' -C hpcjobs-test-stranger -f "$DIR/stranger_key"
chmod 600 "$DIR/client_key" "$DIR/stranger_key"

for spec in hpcbash:/bin/bash hpctcsh:/usr/bin/tcsh; do
  user=${spec%%:*} shell=${spec#*:}
  id -u "$user" >/dev/null 2>&1 || useradd -m -s "$shell" "$user"
  [ "$(getent passwd "$user" | cut -d: -f7)" = "$shell" ] || usermod -s "$shell" "$user"
  home=$(getent passwd "$user" | cut -d: -f6)
  install -d -m 700 -o "$user" -g "$user" "$home/.ssh"
  install -m 600 -o "$user" -g "$user" "$DIR/client_key.pub" "$home/.ssh/authorized_keys"
done

# SLURM enforces associations (start-slurm.sh): the test users need one to submit
if command -v sacctmgr >/dev/null && sacctmgr -n -P list cluster format=cluster 2>/dev/null | grep -q .; then
  for user in hpcbash hpctcsh; do
    sacctmgr -n -P list assoc user="$user" account=root format=user | grep -qx "$user" || sacctmgr -i -Q add user "$user" account=root >/dev/null
  done
fi

# IPv6 loopback too, where the kernel has it: -HostName ::1 is tested against it
listen6=""
if [ -r /proc/net/if_inet6 ] && grep -q '^0\{31\}1 ' /proc/net/if_inet6; then listen6="ListenAddress [::1]"; fi
cat > "$DIR/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
$listen6
HostKey $DIR/ssh_host_ed25519_key
PidFile $PIDFILE
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
AllowUsers hpcbash hpctcsh
UsePAM yes
LogLevel INFO
MaxStartups 100:30:200
Subsystem sftp internal-sftp
EOF

. "$(dirname "$0")/pidfile.sh"
if alive "$PIDFILE" sshd; then
  kill -HUP "$(cat "$PIDFILE")"   # re-read the config
else
  /usr/sbin/sshd -t -f "$DIR/sshd_config"
  /usr/sbin/sshd -f "$DIR/sshd_config" -E "$LOG"
fi
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break; sleep 0.1; done

# the client: known_hosts with this server's key (by address and port), aliases, never StrictHostKeyChecking=no
printf '[127.0.0.1]:%s,[::1]:%s %s\n' "$PORT" "$PORT" "$(cut -d' ' -f1,2 "$DIR/ssh_host_ed25519_key.pub")" > "$DIR/known_hosts"
cat > "$DIR/client_config" <<EOF
# written by tests/cluster/start-sshd.sh
Host hpc-bash hpc-tcsh hpc-jump
  HostName 127.0.0.1
  Port $PORT
  IdentityFile $DIR/client_key
  IdentitiesOnly yes
  UserKnownHostsFile $DIR/known_hosts
Host hpc-bash
  User hpcbash
Host hpc-tcsh
  User hpctcsh
Host hpc-jump
  User hpctcsh
  ProxyJump hpc-bash
Host ::1
  IdentityFile $DIR/client_key
  IdentitiesOnly yes
  UserKnownHostsFile $DIR/known_hosts
EOF
install -d -m 700 ~/.ssh
touch ~/.ssh/config && chmod 600 ~/.ssh/config
if ! grep -qF "Include $DIR/client_config" ~/.ssh/config; then
  { echo "Include $DIR/client_config"; cat ~/.ssh/config; } > ~/.ssh/config.new && mv ~/.ssh/config.new ~/.ssh/config
fi
ssh -o BatchMode=yes hpc-bash true && ssh -o BatchMode=yes hpc-tcsh true && ssh -o BatchMode=yes hpc-jump true
log "sshd on 127.0.0.1:$PORT (log $LOG); hpc-bash, hpc-tcsh and hpc-jump answer"
