#!/usr/bin/env bash
# A seckill cluster on one machine: N API nodes and M workers (the same jar with different roles),
# a load balancer (nginx or HAProxy) on 127.0.0.1:8080 (with --hosts: each process on a host of its
# own, a network namespace, the balancer on 10.213.0.11:8080), its own Redis (a primary, two replicas and
# three Sentinels with --ha) and a database of its own: PostgreSQL (on the machine's server, or a throwaway
# server of its own) or MariaDB (on the machine's server). Everything it starts is recorded by PID under the state directory; `down` stops
# exactly those processes and removes the directory. It never touches the machine's Redis on 6379.
#
#   deploy/local/cluster.sh up [options]     start (builds the jar when target/ has none)
#   deploy/local/cluster.sh status           processes, ports, readiness, Redis primary
#   deploy/local/cluster.sh down             stop everything it started, drop its database, clean up
#
# Options of `up` (defaults in brackets):
#   --lb nginx|haproxy       the load balancer [nginx]
#   --ha                     Redis primary + 2 replicas + 3 Sentinels instead of one Redis
#   --redis single|sentinel|cluster
#                            one Redis [single]; sentinel is --ha; cluster is a Redis Cluster of 3
#                            primaries and 3 replicas (redis1-6; cluster-node-timeout 2 s, a replica
#                            promoted when its primary dies), the nodes given
#                            spring.data.redis.cluster.nodes. Not with --hosts. --replica-acks 1 there
#                            (default 0) waits for the shard's one replica: after a failover that
#                            shard takes no writes until its old primary is back as a replica
#   --replica-acks N         with --ha: a purchase is answered QUEUED only once N replicas have it
#                            (WAIT per batch), and a primary with fewer than N replicas in reach
#                            refuses writes (min-replicas-to-write); 0 turns both off [1]. 2 needs both
#                            replicas: after a failover one is left, and writes stop until the old
#                            primary is back as a replica
#   --api N / --workers M    API nodes and worker nodes [3 / 2]
#   --port P|auto            the balancer's port [8080]; auto picks a free one
#   --tls-port P|auto        the balancer's HTTPS port (TLS 1.2/1.3; HTTP/2 and HTTP/1.1) [8443]
#   --tls-cert FILE --tls-key FILE
#                            the certificate chain and key it serves (PEM); without them up makes a
#                            self-signed one for the balancer's addresses, valid 30 days, under
#                            the state directory (tls/cert.pem: the file clients trust, curl --cacert)
#   --balance least_conn|hash  least connections, or consistent hash on the Authorization header
#   --weights 2,1,1          relative weights of the API nodes at the balancer [all 1]
#   --ip-rate R              per-client-IP request rate allowed by the balancer, per second [500]
#   --db postgresql|mariadb  the database [postgresql]; mariadb uses the machine's MariaDB (or MySQL)
#                            at 127.0.0.1:3306 as root without password
#   --pg auto|machine|own    PostgreSQL: the machine's 127.0.0.1:5432 (auto: when reachable) or a
#                            throwaway server from Debian's binaries under the state directory [auto]
#   --db-name NAME           database created on the machine's server by up, dropped by down
#                            [seckill_cluster]
#   --admin-password PW      bootstrap admin password [random, shown by up and status]
#   --password-strength N    BCrypt rounds for shoppers [10]
#   --no-demo                do not seed the demo sale
#   --app-arg ARG            one more argument for every node (repeatable), e.g.
#                            --app-arg --seckill.worker.claim-after=3s
#   --heap SIZE              -Xmx of each node [384m]
#   --prometheus             also a Prometheus (Debian's package) on 127.0.0.1:<free port> scraping every
#                            node's management port every 2 s, with deploy/prometheus/seckill-alerts.yml
#                            loaded; its address: status, env (PROMETHEUS_URL)
#   --build                  rebuild the jar first (./mvnw -q -DskipTests package)
#   --hosts                  every process on a host of its own: a Linux network namespace (lb1,
#                            api1.., worker1.., redis1-3 each with its Sentinel, db1) with its own
#                            address on a bridge (skbr0, 10.213.0.0/24; this machine is 10.213.0.1);
#                            implies --ha and --pg own; needs root and iproute2. One such cluster at a time
#   --vip                    with --hosts: two balancer hosts (lb1, lb2) sharing the virtual address
#                            10.213.0.10 with keepalived VRRP (unicast peers); clients use that address
#   --latency 'DELAY JITTER' with --hosts: tc netem delay on every host's link [1ms 0.5ms]; a kernel
#                            without netem (CONFIG_NET_SCH_NETEM) gets a warning and no added latency
#
# Commands used by the drills (deploy/drills/), also handy by hand:
#   node start|stop|kill NAME   start again / SIGTERM and wait / SIGKILL one node (api1, worker2, ...)
#   node skew NAME OFFSET       restart a node with its clock OFFSET off (+2s; 0 resets; libfaketime)
#   lb nginx|haproxy            replace the running balancer by the other one, same port
#   pg stop|start               stop or start the throwaway PostgreSQL (--pg own only)
#   redis-primary [KEY]         host:port of the current Redis primary (asks the Sentinels with --ha;
#                               on a Redis Cluster, the primary serving KEY's slot, default "{1}")
#   redis-kill-primary [KEY]    SIGKILL the current Redis primary (that of KEY's slot on a cluster)
#   env                         the cluster's settings as KEY=VALUE lines
#   cut HOST HOST...            with --hosts: drop every packet between the first host and each other
#                               one, both ways (nftables in their namespaces), e.g. cut redis1 redis2
#   heal                        remove every cut
#   host-kill HOST              with --hosts: SIGKILL every process on HOST and take its link down
#   host-revive HOST            its link up and its processes started again
#   hosts                       each host's name and address
#
# The state directory is $SECKILL_CLUSTER_DIR, default /tmp/seckill-cluster; several clusters can run
# side by side with different directories and --port auto.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE=${SECKILL_CLUSTER_DIR:-/tmp/seckill-cluster}
DEPLOY=$ROOT/deploy
SENTINEL_MASTER=seckill

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { printf '[cluster] error: %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null; } # PORT [ADDRESS]

# ---- hosts: where each process runs --------------------------------------------------------------

# Without --hosts everything is on 127.0.0.1. With it, each process runs on a host of its own (a
# network namespace sk-HOST): a Sentinel on its Redis's host, the balancer on lb1, PostgreSQL on db1.
BRIDGE=skbr0
HOST_NET=10.213.0
host_of() { # PROCESS -> HOST
  case $1 in
    sentinel*) echo "redis${1#sentinel}" ;;
    keepalived*) echo "lb${1#keepalived}" ;;
    lb) echo lb1 ;;
    pg) echo db1 ;;
    *) echo "$1" ;;
  esac
}
addr() { # PROCESS -> the address clients use for it (the balancer: the virtual address with --vip)
  if [[ $1 == lb && -n ${VIP:-} ]]; then echo "$VIP"; else host_addr "$1"; fi
}
host_addr() { # PROCESS -> the address of its host
  if [[ ${HOSTS:-0} == 1 ]]; then
    awk -v h="$(host_of "$1")" '$1 == h { print $2 }' "$STATE/hosts"
  else
    echo 127.0.0.1
  fi
}
on_host() { # PROCESS COMMAND... : runs COMMAND on PROCESS's host
  local name=$1
  shift
  if [[ ${HOSTS:-0} == 1 ]]; then ip netns exec "sk-$(host_of "$name")" "$@"; else "$@"; fi
}

hosts_up() { # HOST:OCTET...
  [[ $(id -u) == 0 ]] || die "--hosts needs root (network namespaces)"
  command -v ip >/dev/null || die "--hosts needs iproute2 (ip)"
  ip link show "$BRIDGE" >/dev/null 2>&1 &&
    die "bridge $BRIDGE exists: another --hosts cluster is up (its down removes it)"
  : >"$STATE/hosts"
  ip link add "$BRIDGE" type bridge
  ip addr add "$HOST_NET.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  local pair host address netem_ok=1
  for pair in "$@"; do
    host=${pair%%:*}
    address=$HOST_NET.${pair#*:}
    ip netns add "sk-$host"
    ip link add "skv-$host" type veth peer name eth0 netns "sk-$host"
    ip link set "skv-$host" master "$BRIDGE" up
    ip -n "sk-$host" addr add "$address/24" dev eth0
    ip -n "sk-$host" link set lo up
    ip -n "sk-$host" link set eth0 up
    echo "$host $address" >>"$STATE/hosts"
    # Each host delays what it sends, so a round trip between two hosts crosses two delays.
    # shellcheck disable=SC2086
    if ((netem_ok)) && [[ $LATENCY != none ]] &&
      ! ip netns exec "sk-$host" tc qdisc add dev eth0 root netem delay $LATENCY 2>/dev/null; then
      netem_ok=0
      log "warning: tc netem is not available in this kernel (CONFIG_NET_SCH_NETEM): the links get no added latency"
    fi
  done
  ((netem_ok)) || LATENCY=none
  save_var LATENCY "$LATENCY"
}

hosts_down() {
  [[ -f $STATE/hosts ]] || return 0
  local host
  while read -r host _; do
    # Only this cluster's processes run in its namespaces; none may outlive them.
    ip netns pids "sk-$host" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
    ip netns del "sk-$host" 2>/dev/null || true
  done <"$STATE/hosts"
  ip link del "$BRIDGE" 2>/dev/null || true
}

# A port nobody listens on, below the kernel's ephemeral range (32768+), not handed out before here.
free_port() {
  local p
  for _ in $(seq 1 500); do
    p=$((20000 + RANDOM % 12000))
    if ! port_open "$p" && ! grep -qx "$p" "$STATE/ports" 2>/dev/null; then
      echo "$p" >>"$STATE/ports"
      echo "$p"
      return
    fi
  done
  die "no free port found"
}

# A Redis Cluster node's port: its cluster bus listens on the port + 10000, so both must be free, and both
# below the kernel's ephemeral range (32768 and up), where an outgoing connection may hold one at any time.
free_cluster_port() {
  local p
  for _ in $(seq 1 500); do
    p=$((20000 + RANDOM % 2700))
    if ! port_open "$p" && ! port_open $((p + 10000)) &&
      ! grep -qx -e "$p" -e $((p + 10000)) "$STATE/ports" 2>/dev/null; then
      printf '%s\n%s\n' "$p" $((p + 10000)) >>"$STATE/ports"
      echo "$p"
      return
    fi
  done
  die "no free port pair for a Redis Cluster node"
}

# Installs Debian packages that are missing; keeps their services from starting (policy-rc.d 101),
# since the packaged defaults would listen on 80/6379/26379/5432.
APT_UPDATED=0
ensure_packages() {
  local missing=()
  while (($#)); do
    command -v "$1" >/dev/null 2>&1 || [[ -x "$1" ]] || missing+=("$2")
    shift 2
  done
  ((${#missing[@]})) || return 0
  [[ $(id -u) == 0 ]] || die "missing ${missing[*]}; install them (apt-get install ${missing[*]})"
  log "installing ${missing[*]}"
  local policy_added=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy_added=1
  fi
  # The packages' own files get their usual modes, whatever this script's umask.
  if ((APT_UPDATED == 0)); then (umask 022 && apt-get update -qq >/dev/null) && APT_UPDATED=1; fi
  (umask 022 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null)
  ((policy_added)) && rm -f /usr/sbin/policy-rc.d
  return 0
}

java_bin() {
  if [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
    echo /usr/lib/jvm/temurin-25-jdk-amd64/bin/java
  elif [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
    echo "$JAVA_HOME/bin/java"
  else
    command -v java || die "no java found"
  fi
}

find_jar() {
  local jar newest=""
  for jar in "$ROOT"/target/seckill-*.jar; do
    [[ -f $jar && $jar != *-sources.jar && $jar != *-javadoc.jar ]] || continue
    [[ -z $newest || $jar -nt $newest ]] && newest=$jar
  done
  echo "$newest"
}

build_jar() {
  log "building the jar (./mvnw -q -DskipTests package)"
  local home=${JAVA_HOME:-}
  [[ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]] && home=/usr/lib/jvm/temurin-25-jdk-amd64
  (cd "$ROOT" && JAVA_HOME=$home ./mvnw -q -B -DskipTests package >"$STATE/logs/build.log" 2>&1) ||
    die "build failed, see $STATE/logs/build.log"
}

# ---- state ---------------------------------------------------------------------------------------

load_state() {
  [[ -f $STATE/state.env ]] || die "no cluster under $STATE (run: $0 up)"
  # shellcheck disable=SC1091
  source "$STATE/state.env"
}

# redis-cli with the cluster's password, from the environment of that one command: never on a
# command line (ps), never exported to the processes the script starts.
rcli() {
  if [[ -n ${REDIS_PASSWORD:-} ]]; then REDISCLI_AUTH=$REDIS_PASSWORD redis-cli "$@"; else redis-cli "$@"; fi
}

save_var() { printf '%s=%q\n' "$1" "$2" >>"$STATE/state.env"; }

# Starts NAME in the background from the command in $STATE/cmd/NAME.sh; records its PID and a marker
# that must appear in its command line before anything signals that PID later.
launch() {
  local name=$1 marker=$2
  local on=()
  [[ ${HOSTS:-0} == 1 && $name != prometheus ]] && on=(ip netns exec "sk-$(host_of "$name")")
  setsid "${on[@]}" bash "$STATE/cmd/$name.sh" >>"$STATE/logs/$name.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid $marker" >"$STATE/pids/$name.pid"
  # Until bash has exec'd the program (and it has set its process title) the marker is not there yet.
  for _ in $(seq 1 100); do
    [[ -d /proc/$pid ]] || return 0
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker" && return 0
    sleep 0.05
  done
}

write_cmd() { # NAME ARGV...
  local name=$1
  shift
  {
    echo '#!/usr/bin/env bash'
    printf 'exec'
    printf ' %q' "$@"
    echo
  } >"$STATE/cmd/$name.sh"
}

pid_of() { # prints the PID if NAME's recorded process is alive and still ours
  local file=$STATE/pids/$1.pid pid marker
  [[ -f $file ]] || return 1
  read -r pid marker <"$file"
  [[ -d /proc/$pid ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker" || return 1
  echo "$pid"
}

signal_and_wait() { # NAME SIGNAL SECONDS
  local name=$1 sig=$2 secs=$3 pid
  pid=$(pid_of "$name") || { rm -f "$STATE/pids/$name.pid"; return 0; }
  kill "-$sig" "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((secs * 10))); do
    [[ -d /proc/$pid ]] || break
    sleep 0.1
  done
  if [[ -d /proc/$pid ]]; then
    log "$name (pid $pid) still running after ${secs}s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  rm -f "$STATE/pids/$name.pid"
}

http_status() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" 2>/dev/null || true; } # URL [CURL OPTION...]

wait_ready() { # NAME MANAGEMENT_PORT SECONDS
  local name=$1 port=$2 secs=$3
  for _ in $(seq 1 $((secs * 2))); do
    [[ $(http_status "http://$(addr "$name"):$port/actuator/health/readiness") == 200 ]] && return 0
    pid_of "$name" >/dev/null || die "$name exited while starting; see $STATE/logs/$name.log"
    sleep 0.5
  done
  die "$name not ready after ${secs}s; see $STATE/logs/$name.log"
}

# ---- Redis ---------------------------------------------------------------------------------------

start_redis() { # NAME PORT [replicaof-port]
  local name=$1 port=$2 primary=${3:-}
  mkdir -p "$STATE/redis/$name"
  # The password in a file only root reads, not on the command line (ps shows it to every user).
  # Every server and Sentinel has the same one; replicas use it towards their primary.
  (umask 077 && printf 'requirepass %s\nmasterauth %s\n' "$REDIS_PASSWORD" "$REDIS_PASSWORD" \
    >"$STATE/redis/$name/auth.conf")
  # noeviction: the stream and the tickets must never be evicted. AOF every second: a restarted
  # Redis keeps its queue. Logs go to stdout, which launch() sends to logs/NAME.log.
  local args=(redis-server "$STATE/redis/$name/auth.conf" --port "$port" --bind "$(addr "$name")" --protected-mode yes --daemonize no
    --dir "$STATE/redis/$name" --save '' --appendonly yes --appendfsync everysec
    --maxmemory-policy noeviction --logfile '')
  [[ -n $primary ]] && args+=(--replicaof "$(addr redis1)" "$primary")
  # Any of them may be promoted: each refuses writes while fewer than REPLICA_ACKS replicas have
  # acknowledged within 2 s, so a primary cut off from its replicas stops taking purchases it
  # could lose (the nodes wait for the same number of acknowledgements per batch).
  ((REPLICA_ACKS > 0)) && args+=(--min-replicas-to-write "$REPLICA_ACKS" --min-replicas-max-lag 2)
  # A Redis Cluster node: its own nodes.conf in its directory; a primary unseen for 2 s fails over.
  [[ ${REDIS_MODE:-} == cluster ]] && args+=(--cluster-enabled yes --cluster-config-file nodes.conf
    --cluster-node-timeout 2000)
  write_cmd "$name" "${args[@]}"
  echo "$name $port" >>"$STATE/services"
  launch "$name" ":$port"
}

start_sentinel() { # NAME PORT PRIMARY_PORT
  local name=$1 port=$2 primary=$3
  mkdir -p "$STATE/redis/$name"
  # Sentinel rewrites its configuration file (it records the current primary), so each has its own.
  cat >"$STATE/redis/$name/sentinel.conf" <<EOF
port $port
bind $(addr "$name")
protected-mode yes
daemonize no
dir $STATE/redis/$name
logfile ""
sentinel monitor $SENTINEL_MASTER $(addr redis1) $primary 2
sentinel down-after-milliseconds $SENTINEL_MASTER 1500
sentinel failover-timeout $SENTINEL_MASTER 10000
sentinel parallel-syncs $SENTINEL_MASTER 1
sentinel auth-pass $SENTINEL_MASTER $REDIS_PASSWORD
requirepass $REDIS_PASSWORD
sentinel sentinel-pass $REDIS_PASSWORD
EOF
  chmod 600 "$STATE/redis/$name/sentinel.conf"
  write_cmd "$name" redis-sentinel "$STATE/redis/$name/sentinel.conf"
  echo "$name $port" >>"$STATE/services"
  launch "$name" ":$port"
}

wait_redis() { # NAME PORT
  for _ in $(seq 1 300); do
    [[ $(rcli -h "$(addr "$1")" -p "$2" ping 2>/dev/null) == PONG ]] && return 0
    sleep 0.1
  done
  die "Redis $1 on $2 did not answer within 30 s; its log ends: $(tail -n 3 "$STATE/logs/$1.log" 2>/dev/null | tr '\n' ' ')"
}

redis_primary() { # [KEY]: on a Redis Cluster the primary of KEY's slot
  if [[ ${REDIS_MODE:-} == cluster ]]; then
    cluster_primary "${1:-{1\}}"
  elif [[ $HA == 1 ]]; then
    local s i=0 found
    for s in $SENTINEL_PORTS; do
      i=$((i + 1))
      found=$(rcli -h "$(addr "sentinel$i")" -p "$s" sentinel get-master-addr-by-name "$SENTINEL_MASTER" 2>/dev/null | paste -sd: -)
      [[ -n $found && $found != *ERR* ]] && { echo "$found"; return 0; }
    done
    return 1
  else
    echo "$(addr redis1):$REDIS_PORT"
  fi
}

# The primary serving KEY's slot, as the first server of the cluster that answers sees it (a dead
# primary's replica takes its slots over after cluster-node-timeout).
cluster_primary() { # KEY
  local port slot
  for port in $REDIS_PORTS; do
    slot=$(rcli -h 127.0.0.1 -p "$port" cluster keyslot "$1" 2>/dev/null) || continue
    [[ $slot =~ ^[0-9]+$ ]] || continue
    rcli -h 127.0.0.1 -p "$port" cluster nodes 2>/dev/null | awk -v slot="$slot" '
      $3 ~ /master/ && $3 !~ /fail/ {
        for (i = 9; i <= NF; i++) {
          n = split($i, range, "-")
          if ((n == 1 && range[1] == slot) || (n == 2 && slot >= range[1] && slot <= range[2])) {
            sub(/@.*/, "", $2); print $2; exit 0
          }
        }
      }' | grep . && return 0
  done
  return 1
}

setup_redis_cluster() {
  local ports=() p i
  for i in 1 2 3 4 5 6; do
    p=$(free_cluster_port)
    ports+=("$p")
    start_redis "redis$i" "$p"
  done
  for i in 1 2 3 4 5 6; do wait_redis "redis$i" "${ports[$((i - 1))]}"; done
  save_var REDIS_PORTS "${ports[*]}"
  save_var REDIS_NAMES "redis1 redis2 redis3 redis4 redis5 redis6"
  local addresses=()
  for p in "${ports[@]}"; do addresses+=("127.0.0.1:$p"); done
  # redis1-3 become the primaries, redis4-6 their replicas (redis-cli assigns them in that order).
  rcli --cluster create "${addresses[@]}" --cluster-replicas 1 --cluster-yes >"$STATE/logs/redis-cluster-create.log" 2>&1 ||
    die "redis-cli --cluster create failed; see $STATE/logs/redis-cluster-create.log"
  log "waiting for the Redis Cluster to be ok on every node, with a replica per shard"
  local ok
  for _ in $(seq 1 300); do
    ok=1
    for p in "${ports[@]}"; do
      rcli -h 127.0.0.1 -p "$p" cluster info 2>/dev/null | grep -q '^cluster_state:ok' || ok=0
    done
    [[ $(rcli -h 127.0.0.1 -p "${ports[0]}" cluster nodes 2>/dev/null | grep -c ' slave ') == 3 ]] || ok=0
    for p in "${ports[@]:3}"; do
      rcli -h 127.0.0.1 -p "$p" info replication 2>/dev/null | grep -q 'master_link_status:up' || ok=0
    done
    ((ok)) && break
    sleep 0.2
  done
  ((ok)) || die "the Redis Cluster did not converge; see $STATE/logs/redis*.log"
  local nodes
  nodes=$(IFS=,; echo "${addresses[*]}")
  save_var REDIS_APP_ARGS "--spring.data.redis.cluster.nodes=$nodes --seckill.purchase.replica-acks=$REPLICA_ACKS"
}

setup_redis() {
  ensure_packages redis-server redis-server redis-cli redis-tools
  if [[ $REDIS_MODE == cluster ]]; then
    setup_redis_cluster
  elif [[ $HA == 1 ]]; then
    ensure_packages redis-sentinel redis-sentinel
    local p1 p2 p3 s ports=()
    p1=$(free_port)
    p2=$(free_port)
    p3=$(free_port)
    start_redis redis1 "$p1"
    wait_redis redis1 "$p1"
    start_redis redis2 "$p2" "$p1"
    start_redis redis3 "$p3" "$p1"
    wait_redis redis2 "$p2"
    wait_redis redis3 "$p3"
    for i in 1 2 3; do
      s=$(free_port)
      ports+=("$s")
      start_sentinel "sentinel$i" "$s" "$p1"
    done
    save_var REDIS_PORTS "$p1 $p2 $p3"
    save_var SENTINEL_PORTS "${ports[*]}"
    save_var REDIS_NAMES "redis1 redis2 redis3"
    # Failover needs the replicas in sync and each Sentinel to know the other two (hello messages
    # every 2 s); the drills kill the primary only after that.
    log "waiting for the replicas and the Sentinels to find each other"
    for _ in $(seq 1 200); do
      local ok=1
      rcli -h "$(addr redis2)" -p "$p2" info replication 2>/dev/null | grep -q 'master_link_status:up' || ok=0
      rcli -h "$(addr redis3)" -p "$p3" info replication 2>/dev/null | grep -q 'master_link_status:up' || ok=0
      for i in 1 2 3; do
        s=${ports[$((i - 1))]}
        rcli -h "$(addr "sentinel$i")" -p "$s" sentinel master "$SENTINEL_MASTER" 2>/dev/null | paste - - |
          grep -qP '^num-other-sentinels\t2$' || ok=0
        rcli -h "$(addr "sentinel$i")" -p "$s" sentinel master "$SENTINEL_MASTER" 2>/dev/null | paste - - |
          grep -qP '^num-slaves\t2$' || ok=0
      done
      ((ok)) && break
      sleep 0.2
    done
    ((ok)) || die "Sentinels did not converge; see $STATE/logs/sentinel*.log"
    local nodes=""
    for i in 1 2 3; do nodes+="${nodes:+,}$(addr "sentinel$i"):${ports[$((i - 1))]}"; done
    save_var REDIS_APP_ARGS "--spring.data.redis.sentinel.master=$SENTINEL_MASTER --spring.data.redis.sentinel.nodes=$nodes --seckill.purchase.replica-acks=$REPLICA_ACKS"
  else
    local p
    p=$(free_port)
    start_redis redis1 "$p"
    wait_redis redis1 "$p"
    save_var REDIS_PORT "$p"
    save_var REDIS_PORTS "$p"
    save_var REDIS_NAMES "redis1"
    # The URL (with the password) goes into the secrets file: Spring Boot takes the password from
    # the URL when one is set, and a command line is visible to every user.
    save_var REDIS_ADDRESS "$(addr redis1):$p"
    save_var REDIS_APP_ARGS ""
  fi
}

# ---- the database --------------------------------------------------------------------------------

mariadb_sql() { mariadb -h 127.0.0.1 -P 3306 -u root -N -B -e "$1"; }

setup_mariadb() {
  ensure_packages mariadb mariadb-client
  port_open 3306 && mariadb_sql 'SELECT 1' >/dev/null 2>&1 ||
    die "the machine's MariaDB at 127.0.0.1:3306 is not reachable as root without password"
  if [[ -n $(mariadb_sql "SELECT 1 FROM information_schema.schemata WHERE schema_name = '$DB_NAME'") ]]; then
    die "database $DB_NAME already exists on 127.0.0.1:3306; drop it or choose --db-name"
  fi
  mariadb_sql "CREATE DATABASE $DB_NAME CHARACTER SET utf8mb4" >/dev/null
  save_var DB_MODE machine
  save_var DB_PORT 3306
  save_var JDBC_URL "jdbc:mariadb://127.0.0.1:3306/$DB_NAME?user=root"
}

setup_database() {
  if [[ $DB == mariadb ]]; then setup_mariadb; else setup_postgres; fi
}

machine_pg_usable() {
  port_open 5432 && psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1
}

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [[ -n $dir ]] || return 1
  echo "$dir"
}

as_postgres() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

own_pg_ctl() { # ARGS... (runs pg_ctl on the throwaway server, on its host)
  local run=("$PG_BIN/pg_ctl" -D "$STATE/pg/data" -l "$STATE/logs/postgres.log" "$@")
  [[ $(id -u) == 0 ]] && run=(runuser -u postgres -- "${run[@]}")
  on_host pg "${run[@]}"
}

setup_postgres() {
  ensure_packages psql postgresql-client
  local mode=$PG_MODE
  if [[ $mode == auto ]]; then
    if machine_pg_usable; then mode=machine; else mode=own; fi
  fi
  if [[ $mode == machine ]]; then
    machine_pg_usable || die "the machine's PostgreSQL at 127.0.0.1:5432 is not reachable (use --pg own)"
    if [[ -n $(psql -h 127.0.0.1 -U postgres -d postgres -tAc "select 1 from pg_database where datname='$DB_NAME'") ]]; then
      die "database $DB_NAME already exists on 127.0.0.1:5432; drop it or choose --db-name"
    fi
    psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $DB_NAME" >/dev/null
    save_var PG_MODE machine
    save_var PG_PORT 5432
    save_var JDBC_URL "jdbc:postgresql://127.0.0.1:5432/$DB_NAME?user=postgres"
  else
    if ! PG_BIN=$(pg_bin); then
      ensure_packages /usr/lib/postgresql/15/bin/initdb postgresql
      PG_BIN=$(pg_bin) || die "no PostgreSQL server binaries (apt-get install postgresql)"
    fi
    local port
    port=$(free_port)
    mkdir -p "$STATE/pg/data"
    [[ $(id -u) == 0 ]] && chown -R postgres: "$STATE/pg" "$STATE/logs"
    as_postgres "$PG_BIN/initdb" -D "$STATE/pg/data" -U postgres -A trust --no-sync >"$STATE/logs/initdb.log" 2>&1 ||
      die "initdb failed, see $STATE/logs/initdb.log"
    if [[ ${HOSTS:-0} == 1 ]]; then
      # The other hosts reach it over the cluster's bridge (trust, as on loopback: a throwaway server).
      echo "host all all $HOST_NET.0/24 trust" >>"$STATE/pg/data/pg_hba.conf"
    fi
    cat >>"$STATE/pg/data/postgresql.conf" <<EOF
port = $port
listen_addresses = '$(addr pg)'
unix_socket_directories = '$STATE/pg'
max_connections = 100
shared_buffers = 64MB
EOF
    save_var PG_MODE own
    save_var PG_PORT "$port"
    save_var PG_BIN "$PG_BIN"
    own_pg_ctl -w -t 60 start >/dev/null || die "PostgreSQL did not start, see $STATE/logs/postgres.log"
    psql -h "$(addr pg)" -p "$port" -U postgres -d postgres -qc "CREATE DATABASE $DB_NAME" >/dev/null
    save_var JDBC_URL "jdbc:postgresql://$(addr pg):$port/$DB_NAME?user=postgres"
  fi
}

# ---- app nodes -----------------------------------------------------------------------------------

# $STATE/nodes has a line "NAME PORT MANAGEMENT_PORT" per node.
node_port() { awk -v n="$1" '$1 == n { print $2 }' "$STATE/nodes"; }
node_management_port() { awk -v n="$1" '$1 == n { print $3 }' "$STATE/nodes"; }

# The nodes' secrets, in a file only root (or the cluster's user) can read: never on a command line,
# where any user of the machine sees them in `ps`. Spring Boot imports it (spring.config.import).
write_secrets() {
  umask 077
  printf 'seckill.security.token-secret=%s\nseckill.security.bootstrap-admin.password=%s\n' \
    "$TOKEN_SECRET" "$ADMIN_PASSWORD" >"$STATE/secrets.properties"
  if [[ $REDIS_MODE == cluster ]]; then
    printf 'spring.data.redis.password=%s\n' "$REDIS_PASSWORD" >>"$STATE/secrets.properties"
  elif [[ $HA == 1 ]]; then
    printf 'spring.data.redis.password=%s\nspring.data.redis.sentinel.password=%s\n' \
      "$REDIS_PASSWORD" "$REDIS_PASSWORD" >>"$STATE/secrets.properties"
  else
    printf 'spring.data.redis.url=redis://:%s@%s\n' "$REDIS_PASSWORD" "$REDIS_ADDRESS" >>"$STATE/secrets.properties"
  fi
  chmod 600 "$STATE/secrets.properties"
}

write_node_cmd() { # NAME PORT MANAGEMENT_PORT ROLES
  local name=$1 port=$2 management=$3 roles=$4 address
  address=$(addr "$name")
  # With --hosts the management port is on the host's address too: the balancer's health checks and
  # this script reach it over the cluster's private bridge (a real deployment: an internal interface).
  local args=("$JAVA" "-Xmx$HEAP" -XX:+ExitOnOutOfMemoryError -jar "$JAR"
    "--server.port=$port" "--server.address=$address" --seckill.embedded=never
    "--management.server.port=$management" "--management.server.address=$address"
    "--seckill.roles=$roles"
    "--spring.datasource.url=$JDBC_URL"
    "--spring.config.import=file:$STATE/secrets.properties"
    "--seckill.security.password-strength=$PASSWORD_STRENGTH"
    "--seckill.demo.enabled=$DEMO")
  # shellcheck disable=SC2206
  args+=($REDIS_APP_ARGS)
  if [[ $roles == api* ]]; then
    # The balancers are the only proxies whose X-Forwarded-For a node believes: the client address
    # of per-IP limits is the one the balancer saw (plain or TLS), not the balancer's own.
    local proxies
    proxies=$(host_addr lb)
    [[ -n ${VIP:-} ]] && proxies+=",$(host_addr lb2)"
    args+=("--seckill.web.trusted-proxies=$proxies")
    # The balancer's health check asks this node's own readiness only: a Redis or database outage
    # hits every node alike, and taking them all out of rotation would turn the app's 503 (with
    # Retry-After, and purchases still admitted during a database outage) into the balancer's.
    # The pre-stop delay lets the check see REFUSING_TRAFFIC before the socket closes.
    args+=(--management.endpoint.health.group.readiness.include=readinessState
      --seckill.shutdown.pre-stop-delay=2s
      --spring.datasource.hikari.maximum-pool-size=4 --spring.datasource.hikari.minimum-idle=1)
  else
    args+=(--spring.datasource.hikari.maximum-pool-size=4 --spring.datasource.hikari.minimum-idle=1)
  fi
  # shellcheck disable=SC2206
  args+=(${APP_ARGS:-})
  write_cmd "$name" "${args[@]}"
}

start_node() { launch "$1" "--server.port=$(node_port "$1")"; }

# ---- Prometheus (--prometheus) --------------------------------------------------------------------

# On this machine (also with --hosts: it reaches every host's management port over the bridge), as a
# real deployment runs it: one job, every node a target labelled with its name and roles, the
# project's alert rules loaded. No Alertmanager: the alerts are read from its API (/api/v1/alerts).
start_prometheus() {
  ensure_packages prometheus prometheus
  local dir=$STATE/prometheus port targets="" name management roles
  port=$(free_port)
  mkdir -p "$dir/data"
  while read -r name _ management; do
    roles=api
    [[ $name == api1 ]] && roles=api,admin
    [[ $name == worker* ]] && roles=worker
    targets+="      - targets: ['$(addr "$name"):$management']"$'\n'"        labels: {node: $name, roles: '$roles'}"$'\n'
  done <"$STATE/nodes"
  {
    echo "# Rendered by deploy/local/cluster.sh; a real deployment lists its nodes' management addresses"
    echo "# the same way (docs/operations.md, \"Production checklist\")."
    echo "global:"
    echo "  scrape_interval: 2s"
    echo "  evaluation_interval: 2s"
    echo "rule_files:"
    echo "  - $DEPLOY/prometheus/seckill-alerts.yml"
    echo "scrape_configs:"
    echo "  - job_name: seckill"
    echo "    metrics_path: /actuator/prometheus"
    echo "    static_configs:"
    printf '%s' "$targets"
  } >"$dir/prometheus.yml"
  promtool check config "$dir/prometheus.yml" >"$STATE/logs/promtool.log" 2>&1 ||
    die "Prometheus's configuration is refused; see $STATE/logs/promtool.log"
  write_cmd prometheus prometheus "--config.file=$dir/prometheus.yml" "--storage.tsdb.path=$dir/data" \
    "--storage.tsdb.retention.time=1d" "--web.listen-address=127.0.0.1:$port"
  launch prometheus "$dir/prometheus.yml"
  save_var PROM_PORT "$port"
  for _ in $(seq 1 150); do
    [[ $(http_status "http://127.0.0.1:$port/-/ready") == 200 ]] && break
    pid_of prometheus >/dev/null || die "Prometheus exited; see $STATE/logs/prometheus.log"
    sleep 0.2
  done
  [[ $(http_status "http://127.0.0.1:$port/-/ready") == 200 ]] || die "Prometheus is not ready; see $STATE/logs/prometheus.log"
  log "prometheus on 127.0.0.1:$port scraping $(wc -l <"$STATE/nodes") nodes"
}

# ---- load balancer -------------------------------------------------------------------------------

render() { # TEMPLATE OUT KEY=VALUE...
  local template=$1 out=$2 content kv
  shift 2
  content=$(<"$template")
  for kv in "$@"; do content=${content//"{{${kv%%=*}}}"/${kv#*=}}; done
  if grep -o '{{[A-Z_]*}}' <<<"$content" | head -1 | grep -q .; then
    die "$template: placeholder left unrendered: $(grep -o '{{[A-Z_]*}}' <<<"$content" | head -1)"
  fi
  printf '%s\n' "$content" >"$out"
}

# The balancer's certificate: the one given (--tls-cert/--tls-key), or a self-signed one made here
# for the addresses clients use (EC P-256: the cheapest handshake to serve at a sale's opening).
# HAProxy takes the chain and the key in one file.
setup_tls() {
  local dir=$STATE/tls
  mkdir -p "$dir"
  chmod 700 "$dir"
  if [[ -z $TLS_CERT ]]; then
    ensure_packages openssl openssl
    local names="DNS:localhost,IP:127.0.0.1" h
    if [[ $HOSTS == 1 ]]; then
      for h in lb ${VIP:+lb2}; do names+=",IP:$(host_addr "$h")"; done
      [[ -n $VIP ]] && names+=",IP:$VIP"
    fi
    TLS_CERT=$dir/cert.pem
    TLS_KEY=$dir/key.pem
    (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
      -subj "/CN=seckill local cluster" -addext "subjectAltName=$names" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,digitalSignature,keyCertSign" \
      -keyout "$TLS_KEY" -out "$TLS_CERT" 2>"$STATE/logs/openssl.log") ||
      die "openssl could not make a certificate; see $STATE/logs/openssl.log"
    log "TLS: a self-signed certificate for $names ($TLS_CERT)"
  fi
  (umask 077 && cat "$TLS_CERT" "$TLS_KEY" >"$dir/haproxy.pem")
  save_var TLS_CERT "$TLS_CERT"
  save_var TLS_KEY "$TLS_KEY"
  save_var TLS_PEM "$dir/haproxy.pem"
}

start_lb() { # nginx|haproxy [lb|lb2]
  local kind=$1 proc=${2:-lb} servers="" name port i=0
  local dir=$STATE/$proc prefix="" own listen tls_listen
  [[ $proc != lb ]] && prefix="$proc-"
  own=$(host_addr "$proc")
  # Behind the virtual address the balancer listens on every address of its host: the VIP comes and
  # goes with VRRP.
  listen="$own:$LB_PORT"
  tls_listen="$own:$TLS_PORT"
  [[ -n ${VIP:-} ]] && listen=$LB_PORT && tls_listen=$TLS_PORT
  mkdir -p "$dir"
  local weights=()
  IFS=, read -r -a weights <<<"${WEIGHTS:-}"
  if [[ $kind == nginx ]]; then
    ensure_packages nginx nginx
    for name in $API_NAMES; do
      port=$(node_port "$name")
      servers+="${servers:+$'\n    '}server $(addr "$name"):$port weight=${weights[$i]:-1} max_fails=3 fail_timeout=5s;  # $name"
      i=$((i + 1))
    done
    local balance='least_conn;'
    [[ $BALANCE == hash ]] && balance='hash $http_authorization consistent;'
    mkdir -p "$dir/temp"
    render "$DEPLOY/nginx/seckill.conf.template" "$dir/nginx.conf" \
      "USER_DIRECTIVE=user $(id -un);" "PID_FILE=$dir/nginx.pid" \
      "ERROR_LOG=$STATE/logs/${prefix}nginx-error.log" "ACCESS_LOG=$STATE/logs/${prefix}nginx-access.log" \
      "TEMP_DIR=$dir/temp" "LISTEN=$listen" "STATIC_ROOT=$ROOT/src/main/resources/static" \
      "BALANCE=$balance" "API_SERVERS=$servers" "IP_RATE=$IP_RATE" "IP_BURST=$((IP_RATE * 2))" \
      "TLS_LISTEN=$tls_listen" "TLS_CERT=$TLS_CERT" "TLS_KEY=$TLS_KEY"
    on_host "$proc" nginx -t -q -p "$dir" -c "$dir/nginx.conf" -e "$STATE/logs/${prefix}nginx-error.log" ||
      die "nginx rejected $dir/nginx.conf"
    write_cmd "$proc" nginx -p "$dir" -c "$dir/nginx.conf" -e "$STATE/logs/${prefix}nginx-error.log" -g 'daemon off;'
    launch "$proc" "$dir/nginx.conf"
  else
    ensure_packages haproxy haproxy
    for name in $API_NAMES; do
      port=$(node_port "$name")
      servers+="${servers:+$'\n    '}server $name $(addr "$name"):$port weight $((${weights[$i]:-1} * 100)) port $(node_management_port "$name")"
      i=$((i + 1))
    done
    local balance='balance leastconn'
    [[ $BALANCE == hash ]] && balance=$'balance hdr(Authorization)\n    hash-type consistent'
    [[ -n ${VIP:-} ]] && listen=":$LB_PORT" && tls_listen=":$TLS_PORT"
    render "$DEPLOY/haproxy/haproxy.cfg.template" "$dir/haproxy.cfg" \
      "PID_FILE=$dir/haproxy.pid" "STATS_SOCKET=$dir/haproxy.sock" \
      "LISTEN=$listen" "BALANCE=$balance" "API_SERVERS=$servers" "IP_RATE=$IP_RATE" \
      "TLS_LISTEN=$tls_listen" "TLS_PEM=$TLS_PEM"
    on_host "$proc" haproxy -q -c -f "$dir/haproxy.cfg" || die "haproxy rejected $dir/haproxy.cfg"
    write_cmd "$proc" haproxy -W -db -f "$dir/haproxy.cfg"
    launch "$proc" "$dir/haproxy.cfg"
  fi
  for _ in $(seq 1 100); do
    port_open "$LB_PORT" "$own" && break
    pid_of "$proc" >/dev/null || die "the balancer exited; see $STATE/logs/$proc.log"
    sleep 0.1
  done
  port_open "$LB_PORT" "$own" || die "the balancer does not listen on $own:$LB_PORT"
  # Ready when the balancer itself answers through to a node, in plain HTTP and over TLS: checked
  # against the self-signed certificate made here (a balancer serving another one is not ready);
  # a certificate of your own names your host, not this address, so that one is not verified here.
  local verify=(--cacert "$TLS_CERT")
  [[ $TLS_CERT != "$STATE/tls/cert.pem" ]] && verify=(--insecure)
  for _ in $(seq 1 100); do
    if [[ $(http_status "http://$own:$LB_PORT/api/v1/time") == 200 &&
      $(http_status "https://$own:$TLS_PORT/api/v1/time" "${verify[@]}") == 200 ]]; then
      return 0
    fi
    sleep 0.2
  done
  die "the balancer does not reach the API nodes (HTTP $own:$LB_PORT, HTTPS $own:$TLS_PORT); see $STATE/logs/$proc.log"
}

stop_lb() {
  local sig proc
  sig=$([[ $(cat "$STATE/lb.kind" 2>/dev/null) == nginx ]] && echo QUIT || echo USR1)
  for proc in lb ${VIP:+lb2}; do signal_and_wait "$proc" "$sig" 10; done
}

# ---- the virtual address (--vip): keepalived VRRP between lb1 and lb2 -----------------------------

# Both start as BACKUP with nopreempt (a recovered balancer does not take the address back in the
# middle of a sale); lb1's higher priority wins the first election. Unicast adverts: no multicast
# needed on the segment. The track script moves the address when the balancer process stops
# answering on its port, not only when the host dies.
start_keepalived() { # 1|2
  local n=$1 own other priority
  own=$(host_addr "lb$n")
  other=$(host_addr "lb$((3 - n))")
  priority=$((n == 1 ? 150 : 100))
  mkdir -p "$STATE/keepalived"
  cat >"$STATE/keepalived/keepalived$n.conf" <<EOF
global_defs {
    router_id seckill_lb$n
    enable_script_security
    script_user root
    vrrp_garp_master_delay 1
    vrrp_garp_master_repeat 3
}
vrrp_script balancer_listens {
    script "/bin/bash -c 'exec 3<>/dev/tcp/$own/$LB_PORT'"
    interval 1
    timeout 1
    fall 2
    rise 2
}
vrrp_instance seckill_vip {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $priority
    advert_int 1
    nopreempt
    unicast_src_ip $own
    unicast_peer {
        $other
    }
    authentication {
        auth_type PASS
        auth_pass $VRRP_PASSWORD
    }
    virtual_ipaddress {
        $VIP/24 dev eth0
    }
    track_script {
        balancer_listens
    }
}
EOF
  write_cmd "keepalived$n" keepalived --dont-fork --log-console --log-detail --no-syslog --vrrp \
    --use-file="$STATE/keepalived/keepalived$n.conf" --pid="$STATE/keepalived/keepalived$n.pid" \
    --vrrp_pid="$STATE/keepalived/vrrp$n.pid"
  launch "keepalived$n" "keepalived$n.conf"
}

wait_vip() {
  for _ in $(seq 1 100); do
    [[ $(http_status "http://$VIP:$LB_PORT/api/v1/time") == 200 ]] && return 0
    sleep 0.2
  done
  die "the virtual address $VIP does not answer; see $STATE/logs/keepalived*.log"
}

# ---- commands ------------------------------------------------------------------------------------

# On a failed `up`: keep the logs beside the state directory, then stop what was started.
up_failed() {
  ((UP_DONE)) && return 0
  rm -rf "$STATE.failed-logs"
  cp -r "$STATE/logs" "$STATE.failed-logs" 2>/dev/null || true
  log "up failed; logs kept in $STATE.failed-logs; stopping what was started"
  cmd_down >/dev/null 2>&1 || true
}

cmd_up() {
  local LB=nginx API=3 WORKERS=2 LB_PORT=8080 BALANCE=least_conn IP_RATE=500 PG_MODE=auto DB=postgresql
  local DB_NAME=seckill_cluster ADMIN_PASSWORD="" PASSWORD_STRENGTH=10 DEMO=true HEAP=384m BUILD=0
  local APP_ARGS="" WEIGHTS="" TLS_PORT=8443 TLS_CERT="" TLS_KEY="" PROMETHEUS=0
  HA=0
  REDIS_MODE=single
  HOSTS=0
  VIP=""
  LATENCY="1ms 0.5ms"
  REPLICA_ACKS=""
  while (($#)); do
    case $1 in
      --lb) LB=$2; shift ;;
      --ha) HA=1 ;;
      --redis) REDIS_MODE=$2; shift ;;
      --hosts) HOSTS=1 ;;
      --vip) VIP=$HOST_NET.10 ;;
      --latency) LATENCY=$2; shift ;;
      --replica-acks) REPLICA_ACKS=$2; shift ;;
      --api) API=$2; shift ;;
      --workers) WORKERS=$2; shift ;;
      --port) LB_PORT=$2; shift ;;
      --tls-port) TLS_PORT=$2; shift ;;
      --tls-cert) TLS_CERT=$(realpath "$2"); shift ;;
      --tls-key) TLS_KEY=$(realpath "$2"); shift ;;
      --balance) BALANCE=$2; shift ;;
      --weights) WEIGHTS=$2; shift ;;
      --ip-rate) IP_RATE=$2; shift ;;
      --pg) PG_MODE=$2; shift ;;
      --db) DB=$2; shift ;;
      --db-name) DB_NAME=$2; shift ;;
      --admin-password) ADMIN_PASSWORD=$2; shift ;;
      --password-strength) PASSWORD_STRENGTH=$2; shift ;;
      --no-demo) DEMO=false ;;
      --app-arg) APP_ARGS+="${APP_ARGS:+ }$2"; shift ;;
      --heap) HEAP=$2; shift ;;
      --build) BUILD=1 ;;
      --prometheus) PROMETHEUS=1 ;;
      *) die "unknown option $1 (see the header of $0)" ;;
    esac
    shift
  done
  [[ $LB == nginx || $LB == haproxy ]] || die "--lb is nginx or haproxy"
  [[ $REDIS_MODE =~ ^(single|sentinel|cluster)$ ]] || die "--redis is single, sentinel or cluster"
  [[ $REDIS_MODE == sentinel ]] && HA=1
  ((HA)) && [[ $REDIS_MODE == single ]] && REDIS_MODE=sentinel
  if [[ $REDIS_MODE == cluster ]]; then
    ((HA == 0 && HOSTS == 0)) || die "--redis cluster goes without --ha and --hosts"
    [[ -z $REPLICA_ACKS || $REPLICA_ACKS =~ ^[01]$ ]] || die "--replica-acks on a Redis Cluster is 0 or 1 (one replica per shard)"
  fi
  [[ -n $VIP && $HOSTS != 1 ]] && die "--vip needs --hosts (two balancer hosts)"
  [[ -n $TLS_CERT && -z $TLS_KEY || -z $TLS_CERT && -n $TLS_KEY ]] && die "--tls-cert and --tls-key go together"
  if [[ -n $TLS_CERT ]]; then
    [[ -r $TLS_CERT && -r $TLS_KEY ]] || die "cannot read $TLS_CERT or $TLS_KEY"
  fi
  if [[ $HOSTS == 1 ]]; then
    # The machine's own servers listen on its loopback, which the hosts do not share.
    [[ $DB == mariadb || $PG_MODE == machine ]] && die "--hosts runs its own PostgreSQL on db1 (no --db mariadb, no --pg machine)"
    HA=1
    PG_MODE=own
    ((API <= 19 && WORKERS <= 19)) || die "--hosts takes at most 19 API nodes and 19 workers"
    [[ -n $VIP ]] && ensure_packages keepalived keepalived
    [[ $LATENCY == none || $LATENCY =~ ^[0-9.]+(us|ms)( [0-9.]+(us|ms))?$ ]] ||
      die "--latency is 'DELAY [JITTER]' such as '1ms 0.5ms', or none"
  fi
  [[ -z $REPLICA_ACKS || $REPLICA_ACKS =~ ^[0-2]$ ]] || die "--replica-acks is 0, 1 or 2 (two replicas)"
  [[ -n $REPLICA_ACKS && $REPLICA_ACKS != 0 && $HA != 1 && $REDIS_MODE != cluster ]] && die "--replica-acks needs --ha or --redis cluster (replicas)"
  if [[ $HA == 1 ]]; then REPLICA_ACKS=${REPLICA_ACKS:-1}; elif [[ $REDIS_MODE == cluster ]]; then REPLICA_ACKS=${REPLICA_ACKS:-0}; else REPLICA_ACKS=0; fi
  [[ $BALANCE == least_conn || $BALANCE == hash ]] || die "--balance is least_conn or hash"
  [[ $DB == postgresql || $DB == mariadb ]] || die "--db is postgresql or mariadb (the name: --db-name)"
  [[ $PG_MODE =~ ^(auto|machine|own)$ ]] || die "--pg is auto, machine or own"
  [[ $DB == mariadb && $PG_MODE == own ]] && die "--pg own is for --db postgresql"
  [[ $DB_NAME =~ ^[a-z_][a-z0-9_]*$ ]] || die "--db-name must be a plain lower-case name"
  ((API >= 1 && WORKERS >= 1)) || die "at least one API node and one worker"
  if [[ -f $STATE/state.env ]]; then
    die "a cluster is already recorded under $STATE (run: $0 down)"
  fi
  mkdir -p "$STATE"/{pids,cmd,logs}
  chmod 755 "$STATE"
  : >"$STATE/ports"
  : >"$STATE/nodes"
  : >"$STATE/services"
  UP_DONE=0
  trap up_failed EXIT
  ensure_packages curl curl

  [[ $LB_PORT == auto ]] && LB_PORT=$(free_port)
  [[ $HOSTS == 0 ]] && port_open "$LB_PORT" && die "port $LB_PORT is taken (use --port P or --port auto)"
  [[ $TLS_PORT == auto ]] && TLS_PORT=$(free_port)
  [[ $TLS_PORT != "$LB_PORT" ]] || die "--tls-port must differ from --port"
  [[ $HOSTS == 0 ]] && port_open "$TLS_PORT" && die "port $TLS_PORT is taken (use --tls-port P or --tls-port auto)"
  [[ -n $ADMIN_PASSWORD ]] || ADMIN_PASSWORD=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
  local TOKEN_SECRET
  TOKEN_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  REDIS_PASSWORD=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  VRRP_PASSWORD=$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
  JAVA=$(java_bin)
  JAR=$(find_jar)
  if ((BUILD)) || [[ -z $JAR ]]; then
    build_jar
    JAR=$(find_jar)
  fi
  [[ -n $JAR ]] || die "no jar under $ROOT/target"
  {
    echo "# seckill cluster started $(date -Is)"
    printf 'REDIS_MODE=%q\n' "$REDIS_MODE"
    printf 'LB=%q\nHA=%q\nLB_PORT=%q\nBALANCE=%q\nWEIGHTS=%q\nIP_RATE=%q\nDB=%q\nDB_NAME=%q\n' \
      "$LB" "$HA" "$LB_PORT" "$BALANCE" "$WEIGHTS" "$IP_RATE" "$DB" "$DB_NAME"
    printf 'ADMIN_PASSWORD=%q\nTOKEN_SECRET=%q\nPASSWORD_STRENGTH=%q\nDEMO=%q\nHEAP=%q\n' \
      "$ADMIN_PASSWORD" "$TOKEN_SECRET" "$PASSWORD_STRENGTH" "$DEMO" "$HEAP"
    printf 'REDIS_PASSWORD=%q\nVRRP_PASSWORD=%q\n' "$REDIS_PASSWORD" "$VRRP_PASSWORD"
    printf 'JAVA=%q\nJAR=%q\nAPP_ARGS=%q\nROOT=%q\nREPLICA_ACKS=%q\n' "$JAVA" "$JAR" "$APP_ARGS" "$ROOT" "$REPLICA_ACKS"
    printf 'HOSTS=%q\nVIP=%q\nTLS_PORT=%q\n' "$HOSTS" "$VIP" "$TLS_PORT"
  } >"$STATE/state.env"
  chmod 600 "$STATE/state.env"
  echo "$LB" >"$STATE/lb.kind"
  if [[ $HOSTS == 1 ]]; then
    local hosts=(lb1:11 redis1:61 redis2:62 redis3:63 db1:80)
    [[ -n $VIP ]] && hosts+=(lb2:12)
    for i in $(seq 1 "$API"); do hosts+=("api$i:$((20 + i))"); done
    for i in $(seq 1 "$WORKERS"); do hosts+=("worker$i:$((40 + i))"); done
    log "hosts: ${hosts[*]%%:*} on $BRIDGE ($HOST_NET.0/24, latency ${LATENCY})"
    hosts_up "${hosts[@]}"
  fi

  setup_tls
  case $REDIS_MODE in
    cluster) log "Redis Cluster (3 primaries, 3 replicas)" ;;
    sentinel) log "Redis (primary, 2 replicas, 3 Sentinels)" ;;
    *) log "Redis (one server)" ;;
  esac
  setup_redis
  log "database: $DB"
  setup_database
  load_state

  local names=() api_names=() worker_names=() name port management roles i
  write_secrets
  for i in $(seq 1 "$API"); do
    name=api$i
    roles=api
    ((i == 1)) && roles=api,admin
    port=$(free_port)
    management=$(free_port)
    echo "$name $port $management" >>"$STATE/nodes"
    write_node_cmd "$name" "$port" "$management" "$roles"
    api_names+=("$name")
  done
  for i in $(seq 1 "$WORKERS"); do
    name=worker$i
    port=$(free_port)
    management=$(free_port)
    echo "$name $port $management" >>"$STATE/nodes"
    write_node_cmd "$name" "$port" "$management" worker
    worker_names+=("$name")
  done
  save_var API_NAMES "${api_names[*]}"
  save_var WORKER_NAMES "${worker_names[*]}"
  load_state
  # All at once: Flyway serialises the migrations with a database lock, and only api1 (admin)
  # creates the bootstrap admin.
  names=("${api_names[@]}" "${worker_names[@]}")
  log "starting ${names[*]} with $JAVA"
  for name in "${names[@]}"; do start_node "$name"; done
  for name in "${names[@]}"; do wait_ready "$name" "$(node_management_port "$name")" 240; done

  log "load balancer: $LB on $(addr lb):$LB_PORT"
  start_lb "$LB"
  if [[ -n $VIP ]]; then
    start_lb "$LB" lb2
    log "keepalived on lb1 and lb2: VRRP for $VIP"
    start_keepalived 1
    start_keepalived 2
    wait_vip
  fi
  ((PROMETHEUS)) && start_prometheus
  UP_DONE=1
  trap - EXIT
  cmd_status
}

cmd_status() {
  load_state
  local name port pid ready
  echo "seckill cluster under $STATE"
  pid=$(pid_of lb || echo -)
  printf '  %-10s %-22s pid %-8s %s\n' "lb" "$(cat "$STATE/lb.kind") $(host_addr lb):$LB_PORT" "$pid" \
    "$([[ $pid != - ]] && echo up || echo DOWN)"
  if [[ -n ${VIP:-} ]]; then
    local holder=none h
    for h in lb1 lb2; do
      ip -n "sk-$h" -o addr show dev eth0 2>/dev/null | grep -qF " $VIP/" && holder=$h
    done
    for name in lb2 keepalived1 keepalived2; do
      pid=$(pid_of "$name" || echo -)
      printf '  %-10s %-22s pid %-8s %s\n' "$name" "$(host_addr "$name")" "$pid" "$([[ $pid != - ]] && echo up || echo DOWN)"
    done
    echo "  virtual address: $VIP:$LB_PORT held by $holder"
  fi
  while read -r name port management; do
    pid=$(pid_of "$name" || echo -)
    ready=DOWN
    if [[ $pid != - ]]; then
      ready=$(curl -s --max-time 2 "http://$(addr "$name"):$management/actuator/health/readiness" | sed -n 's/.*"status":"\([A-Z_]*\)".*/\1/p')
      ready=${ready:-starting}
    fi
    printf '  %-10s %-22s pid %-8s %s (management %s:%s)\n' "$name" "$(addr "$name"):$port" "$pid" "$ready" "$(addr "$name")" "$management"
  done <"$STATE/nodes"
  local r
  for r in $REDIS_NAMES ${SENTINEL_PORTS:+sentinel1 sentinel2 sentinel3}; do
    pid=$(pid_of "$r" || echo -)
    printf '  %-10s %-22s pid %-8s %s\n' "$r" "$(addr "$r"):$(sed -n "s/^$r //p" "$STATE/services")" "$pid" \
      "$([[ $pid != - ]] && echo up || echo DOWN)"
  done
  if [[ ${REDIS_MODE:-} == cluster ]]; then
    echo "  redis cluster: primaries $(rcli -h 127.0.0.1 -p "${REDIS_PORTS%% *}" cluster nodes 2>/dev/null |
      awk '$3 ~ /master/ && $3 !~ /fail/ { sub(/@.*/, "", $2); printf "%s%s", sep, $2; sep = "," }' || echo unknown)"
  else
    echo "  redis primary: $(redis_primary || echo unknown)$([[ $HA == 1 ]] && echo " (Sentinel master name $SENTINEL_MASTER, sentinels on ${SENTINEL_PORTS// /,})")"
  fi
  if [[ ${DB:-postgresql} == mariadb ]]; then
    echo "  mariadb: machine 127.0.0.1:$DB_PORT database $DB_NAME"
  else
    echo "  postgresql: $PG_MODE $(addr pg):$PG_PORT database $DB_NAME"
  fi
  if [[ ${HOSTS:-0} == 1 ]]; then
    echo "  hosts: network namespaces sk-HOST on $BRIDGE, latency ${LATENCY}$([[ -s $STATE/cuts ]] && echo ", cut: $(paste -sd, "$STATE/cuts")")"
  fi
  if [[ -n ${PROM_PORT:-} ]]; then
    pid=$(pid_of prometheus || echo -)
    printf '  %-10s %-22s pid %-8s %s\n' prometheus "127.0.0.1:$PROM_PORT" "$pid" "$([[ $pid != - ]] && echo up || echo DOWN)"
  fi
  echo "  admin: admin / $ADMIN_PASSWORD    shop: http://$(addr lb):$LB_PORT/ and https://$(addr lb):$TLS_PORT/ (CA: $TLS_CERT)"
}

cmd_down() {
  [[ -d $STATE ]] || { log "nothing under $STATE"; return 0; }
  if [[ -f $STATE/state.env ]]; then
    # shellcheck disable=SC1091
    source "$STATE/state.env"
  fi
  local k
  for k in prometheus keepalived1 keepalived2; do signal_and_wait "$k" TERM 10; done
  [[ -f $STATE/lb.kind ]] && stop_lb
  local name pid
  if [[ -f $STATE/nodes ]]; then
    while read -r name _; do
      if pid=$(pid_of "$name"); then kill -TERM "$pid" 2>/dev/null || true; fi
    done <"$STATE/nodes"
    while read -r name _; do signal_and_wait "$name" TERM 30; done <"$STATE/nodes"
  fi
  for name in sentinel1 sentinel2 sentinel3 redis6 redis5 redis4 redis3 redis2 redis1; do signal_and_wait "$name" TERM 10; done
  if [[ ${DB:-postgresql} == mariadb && ${DB_MODE:-} == machine && -n ${DB_NAME:-} ]]; then
    mariadb_sql "DROP DATABASE IF EXISTS $DB_NAME" >/dev/null 2>&1 || log "could not drop database $DB_NAME"
  elif [[ ${PG_MODE:-} == machine && -n ${DB_NAME:-} ]]; then
    psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 ||
      log "could not drop database $DB_NAME"
  elif [[ ${PG_MODE:-} == own && -f $STATE/pg/data/postmaster.pid ]]; then
    own_pg_ctl -m fast -w -t 30 stop >/dev/null 2>&1 || log "could not stop the throwaway PostgreSQL"
  fi
  # Anything recorded that is still ours and alive (should be nothing by now).
  local f
  for f in "$STATE"/pids/*.pid; do
    [[ -e $f ]] || continue
    signal_and_wait "$(basename "$f" .pid)" KILL 5
  done
  hosts_down
  rm -rf "$STATE"
  log "down: stopped and removed $STATE"
}

# Restarts a node with its wall clock OFFSET ahead (+2s) or behind (-2s), 0 for the true time: the
# JVM runs under libfaketime (Debian's faketime package), monotonic clocks left alone so its timers
# and waits keep real time.
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
node_skew() { # NAME OFFSET
  local name=$1 offset=$2 cmd=$STATE/cmd/$1.sh
  [[ $offset =~ ^(0|[+-][0-9]+(\.[0-9]+)?s)$ ]] || die "node skew NAME OFFSET: seconds such as +2s or -0.5s; 0 resets"
  [[ -e $FAKETIME_LIB ]] || ensure_packages faketime faketime
  signal_and_wait "$name" TERM 40
  sed -i 's|^exec env LD_PRELOAD=[^ ]* FAKETIME=[^ ]* FAKETIME_DONT_FAKE_MONOTONIC=1 |exec |' "$cmd"
  if [[ $offset != 0 ]]; then
    sed -i "s|^exec |exec env LD_PRELOAD=$FAKETIME_LIB FAKETIME=$offset FAKETIME_DONT_FAKE_MONOTONIC=1 |" "$cmd"
  fi
  start_node "$name"
  wait_ready "$name" "$(node_management_port "$name")" 240
}

cmd_node() { # start|stop|kill NAME
  load_state
  local action=$1 name=$2 port
  port=$(node_port "$name")
  [[ -n $port ]] || die "no node $name"
  case $action in
    start)
      pid_of "$name" >/dev/null && die "$name is running"
      start_node "$name"
      wait_ready "$name" "$(node_management_port "$name")" 240
      ;;
    stop) signal_and_wait "$name" TERM 40 ;;
    kill) signal_and_wait "$name" KILL 5 ;;
    skew) node_skew "$name" "${3:-}" ;;
    *) die "node start|stop|kill NAME, node skew NAME OFFSET" ;;
  esac
}

cmd_lb() {
  load_state
  local kind=$1
  [[ $kind == nginx || $kind == haproxy ]] || die "lb nginx|haproxy"
  stop_lb
  echo "$kind" >"$STATE/lb.kind"
  start_lb "$kind"
  [[ -n ${VIP:-} ]] && start_lb "$kind" lb2
  log "load balancer is now $kind on $(addr lb):$LB_PORT"
}

cmd_pg() {
  load_state
  [[ ${PG_MODE:-} == own ]] || die "pg stop|start works on the cluster's own PostgreSQL only (--pg own); the machine's server is shared"
  case $1 in
    stop) own_pg_ctl -m fast -w -t 30 stop >/dev/null ;;
    start) own_pg_ctl -w -t 60 start >/dev/null ;;
    *) die "pg stop|start" ;;
  esac
}

cmd_redis_kill_primary() { # [KEY]
  load_state
  local addr port r
  addr=$(redis_primary "$@") || die "no Redis primary known"
  port=${addr##*:}
  for r in $REDIS_NAMES; do
    if [[ $(sed -n "s/^$r //p" "$STATE/services") == "$port" ]]; then
      signal_and_wait "$r" KILL 5
      echo "$r $addr"
      return 0
    fi
  done
  die "the primary $addr is not one of this cluster's servers"
}

hosts_only() { [[ ${HOSTS:-0} == 1 ]] || die "$1 works on a --hosts cluster"; } # COMMAND
known_host() { grep -q "^$1 " "$STATE/hosts" 2>/dev/null || die "no host $1 (see: $0 hosts)"; } # HOST

# Partitions between hosts: nftables rules in both hosts' namespaces dropping what goes to or comes
# from the other one (a silent drop, as a cut cable: connections hang until their timeouts).
cmd_cut() { # HOST HOST...
  load_state
  hosts_only cut
  (($# >= 2)) || die "cut HOST HOST..."
  ensure_packages nft nftables
  local a=$1 b
  shift
  for b in "$@"; do
    [[ -n $(host_addr "$a") && -n $(host_addr "$b") ]] || die "no host $a or $b (see: $0 hosts)"
    drop_between "$a" "$b"
    drop_between "$b" "$a"
    echo "$a-$b" >>"$STATE/cuts"
  done
}

drop_between() { # HOST OTHER: HOST drops every packet from or to OTHER
  local other
  other=$(host_addr "$2")
  on_host "$1" nft -f - <<EOF
table inet seckill_cuts {
  chain input { type filter hook input priority 0; ip saddr $other drop; }
  chain output { type filter hook output priority 0; ip daddr $other drop; }
}
EOF
}

# A host dies: every process on it is killed at once and its link goes down (no goodbye packets, no
# answers: what the others see of a host that lost power).
cmd_host_kill() { # HOST
  load_state
  hosts_only host-kill
  local host=${1:-}
  known_host "$host"
  ip link set "skv-$host" down
  # A process may end between the listing and the kill: that is no failure.
  ip netns pids "sk-$host" | xargs -r kill -KILL 2>/dev/null || true
}

# The host comes back: its link up, then every process recorded for it started again (nodes waited
# for until ready).
cmd_host_revive() { # HOST
  load_state
  hosts_only host-revive
  local host=${1:-} f name marker
  known_host "$host"
  ip link set "skv-$host" up
  for f in "$STATE"/pids/*.pid; do
    [[ -e $f ]] || continue
    name=$(basename "$f" .pid)
    [[ $(host_of "$name") == "$host" ]] || continue
    pid_of "$name" >/dev/null && continue
    read -r _ marker <"$f"
    launch "$name" "$marker"
    if [[ -n $(node_port "$name") ]]; then wait_ready "$name" "$(node_management_port "$name")" 240; fi
  done
  # PostgreSQL is not a recorded process (pg_ctl runs it): start it again on its host.
  if [[ $host == db1 && ${PG_MODE:-} == own ]] && ! own_pg_ctl status >/dev/null 2>&1; then
    own_pg_ctl -w -t 60 start >/dev/null
  fi
}

cmd_heal() { # every cut goes
  load_state
  hosts_only heal
  local host
  while read -r host _; do
    ip netns exec "sk-$host" nft delete table inet seckill_cuts 2>/dev/null || true
  done <"$STATE/hosts"
  : >"$STATE/cuts"
}

main() {
  # Everything this script writes, and what the processes it starts write (Redis and Sentinel rewrite
  # their configuration files, which hold the password, with 0644 minus the umask), is for root only;
  # the state directory itself is opened to 755 where the postgres user must pass through it.
  umask 077
  local cmd=${1:-}
  shift || true
  case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down ;;
    status) cmd_status ;;
    node) cmd_node "$@" ;;
    lb) cmd_lb "$@" ;;
    pg) cmd_pg "$@" ;;
    redis-primary) load_state; redis_primary "$@" ;;
    redis-kill-primary) cmd_redis_kill_primary "$@" ;;
    env)
      load_state
      cat "$STATE/state.env"
      echo "NODES=\"$(tr '\n' ',' <"$STATE/nodes")\""
      local name addresses=""
      for name in lb ${VIP:+lb2} pg $API_NAMES $WORKER_NAMES $REDIS_NAMES ${SENTINEL_PORTS:+sentinel1 sentinel2 sentinel3}; do
        addresses+="${addresses:+,}$name=$(addr "$name")"
      done
      echo "ADDRESSES=\"$addresses\""
      if [[ -n ${PROM_PORT:-} ]]; then echo "PROMETHEUS_URL=http://127.0.0.1:$PROM_PORT"; fi
      ;;
    cut) cmd_cut "$@" ;;
    heal) cmd_heal ;;
    host-kill) cmd_host_kill "$@" ;;
    host-revive) cmd_host_revive "$@" ;;
    hosts) load_state; if [[ ${HOSTS:-0} == 1 ]]; then cat "$STATE/hosts"; else echo "every process on 127.0.0.1"; fi ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 2 ;;
  esac
}

main "$@"
