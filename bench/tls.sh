#!/usr/bin/env bash
# TLS handshakes at the balancer of a running local cluster (deploy/local/cluster.sh up): full and
# resumed handshakes per second over TLS 1.3 and 1.2, and the balancer's CPU per handshake (its
# processes' user + system time over the run divided by the handshakes), so the opening second of a sale,
# when every shopper not yet connected connects, can be sized. Resumption is measured over TLS 1.2 with a
# request on each connection (GET /api/v1/time, proxied to a node), against full handshakes with the
# same request in the same run: `openssl s_time` closes a TLS 1.3 connection before the server's session
# ticket arrives, so its -reuse never resumes there, and HAProxy does not keep the session of a
# connection closed without a request (resumption itself works on both, over TLS 1.3 too:
# `openssl s_client -sess_out/-sess_in` says Reused).
#
#   bench/tls.sh [--clients N] [--seconds S]      against $SECKILL_CLUSTER_DIR (default /tmp/seckill-cluster)
#
# Traffic goes only to the cluster's balancer; each of the N clients (default 4) runs for S seconds (8).
set -euo pipefail
STATE=${SECKILL_CLUSTER_DIR:-/tmp/seckill-cluster}
CLIENTS=4
SECONDS_EACH=8
while (($#)); do
  case $1 in
    --clients) CLIENTS=$2; shift ;;
    --seconds) SECONDS_EACH=$2; shift ;;
    *) sed -n '2,11p' "$0"; exit 2 ;;
  esac
  shift
done
[[ -f $STATE/state.env ]] || { echo "no cluster under $STATE (deploy/local/cluster.sh up)" >&2; exit 1; }
# shellcheck disable=SC1091
source "$STATE/state.env"
kind=$(cat "$STATE/lb.kind")
host=127.0.0.1
[[ ${HOSTS:-0} == 1 ]] && host=${VIP:-$(awk '$1 == "lb1" { print $2 }' "$STATE/hosts")}
master=$(cut -d' ' -f1 "$STATE/pids/lb.pid")

# Clock ticks of the balancer's processes (the master and its workers).
balancer_ticks() {
  local p total=0
  for p in "$master" $(pgrep -P "$master"); do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

run() { # VERSION MODE LABEL [PAGE]
  local before after started elapsed count i out www=()
  [[ -n ${4:-} ]] && www=(-www "$4")
  out=$(mktemp -d)
  before=$(balancer_ticks)
  started=$(date +%s%N)
  for i in $(seq 1 "$CLIENTS"); do
    timeout $((SECONDS_EACH + 10)) openssl s_time -connect "$host:$TLS_PORT" "$2" "$1" -time "$SECONDS_EACH" \
      -CAfile "$TLS_CERT" "${www[@]}" >"$out/$i" 2>&1 &
  done
  wait
  elapsed=$(awk -v a="$started" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
  after=$(balancer_ticks)
  count=$(cat "$out"/* | awk '/connections in [0-9]+ real seconds/ { s += $1 } END { print s + 0 }')
  rm -rf "$out"
  if ((count == 0)); then
    printf '%-24s no handshake completed (openssl s_time failed)\n' "$3"
    return 1
  fi
  local tick_us=$((1000000 / $(getconf CLK_TCK)))
  printf '%-24s %8.0f connections/s   %5d us of %s CPU per connection   (%d in %.1f s, %d clients)\n' \
    "$3" "$(awk -v c="$count" -v e="$elapsed" 'BEGIN { print c / e }')" $(((after - before) * tick_us / count)) "$kind" "$count" "$elapsed" "$CLIENTS"
  echo "$(((after - before) * tick_us / count))" >"$STATE/.tls-bench$1$2${4:+-www}"
}

echo "TLS at $kind $host:$TLS_PORT ($(openssl version | cut -d' ' -f1-2), certificate $(openssl x509 -in "$TLS_CERT" -noout -text | sed -n 's/.*Public Key Algorithm: //p' | head -1)), load $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
run -tls1_3 -new "TLS 1.3 full handshake"
run -tls1_2 -new "TLS 1.2 full handshake"
run -tls1_2 -new "TLS 1.2 full + GET" /api/v1/time
run -tls1_2 -reuse "TLS 1.2 resumed + GET" /api/v1/time
full=$(cat "$STATE/.tls-bench-tls1_2-new-www")
resumed=$(cat "$STATE/.tls-bench-tls1_2-reuse-www")
rm -f "$STATE"/.tls-bench-*
echo "a resumed connection with its request costs the balancer $(awk -v r="$resumed" -v f="$full" 'BEGIN { printf "%.2f", r / f }')x a full one (TLS 1.2, same run)"
