#!/bin/sh
# Starts one Redis node of the Sentinel topology, its role taken from the Sentinels rather than
# from how it was first deployed: a node that restarts after a failover must join the promoted
# primary, never replicate the stale address it was started with. compose.yaml runs it in each
# Redis container, and the harness runs the same file for its local nodes.
#
#   REDIS_SENTINELS   host:port,… of the Sentinels to ask
#   REDIS_MASTER_NAME the name they monitor the primary under
#   NODE_HOST         this node's address as the Sentinels know it
#   NODE_PORT         this node's port
#   INITIAL_PRIMARY   host:port of the primary to use when no Sentinel knows one (first start)
#   FAILOVER_WAIT_SECONDS  how long a node that was primary waits for a replica to take over (30)
# Any arguments are passed on to redis-server (the data settings: AOF, min-replicas, …).
set -eu
: "${REDIS_MASTER_NAME:?}" "${NODE_HOST:?}" "${NODE_PORT:?}" "${INITIAL_PRIMARY:?}"

# The primary as the first answering Sentinel names it; empty when none answers.
ask_sentinels() {
  for sentinel in $(echo "${REDIS_SENTINELS:-}" | tr ',' ' '); do
    # A Sentinel that is down or still starting answers nothing; the next one is asked.
    answer=$(timeout 2 redis-cli -h "${sentinel%:*}" -p "${sentinel##*:}" --raw "$@" 2>/dev/null | tr '\n' ' ' || true)
    if [ -n "$answer" ]; then echo "$answer"; return 0; fi
  done
}

primary_per_sentinels() {
  answer=$(ask_sentinels SENTINEL get-master-addr-by-name "$REDIS_MASTER_NAME")
  host=$(echo "$answer" | cut -d' ' -f1)
  port=$(echo "$answer" | cut -d' ' -f2)
  if [ -n "$host" ] && [ -n "$port" ] && [ "$port" -eq "$port" ] 2>/dev/null; then echo "$host:$port"; fi
}

self="$NODE_HOST:$NODE_PORT"
primary=$(primary_per_sentinels)
known_by="the Sentinels"
if [ -z "$primary" ]; then
  primary="$INITIAL_PRIMARY"
  known_by="the initial topology (no Sentinel knows a primary)"
elif [ "$primary" = "$self" ]; then
  # We were the primary and died. We cannot know whether the Sentinels are failing us over right
  # now, and two primaries at once is how acknowledged writes get lost. So we never resume as
  # primary by ourselves: we ask for a failover (the best replica, which has every write a replica
  # confirmed, is promoted) and rejoin as its replica. A replica that has just restarted itself is
  # not promotable until the Sentinels have seen it in sync again (NOGOODSLAVE): we ask again each
  # second meanwhile, and the Sentinels may also fail us over on their own. Only when no replica
  # became promotable within FAILOVER_WAIT_SECONDS, or no Sentinel answers, do we come back as
  # primary, with our own data: then no other node can have taken writes.
  deadline=$(( $(date +%s) + ${FAILOVER_WAIT_SECONDS:-30} ))
  reply=$(ask_sentinels SENTINEL FAILOVER "$REDIS_MASTER_NAME")
  echo "redis-node: $self was primary when it stopped; asked the Sentinels for a failover: ${reply:-no answer}"
  while [ -n "$reply" ]; do
    named=$(primary_per_sentinels)
    if [ -n "$named" ] && [ "$named" != "$self" ]; then primary="$named"; known_by="the Sentinels, after the failover it asked for"; break; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "redis-node: no replica became promotable within ${FAILOVER_WAIT_SECONDS:-30} s"
      break
    fi
    sleep 1
    # Asked again only while no failover runs (INPROG: one is under way; OK: it was started).
    case "$reply" in *NOGOODSLAVE*) reply=$(ask_sentinels SENTINEL FAILOVER "$REDIS_MASTER_NAME") ;; esac
  done
fi

if [ "$primary" = "$self" ]; then
  echo "redis-node: $self starts as primary, per $known_by"
  exec redis-server --port "$NODE_PORT" --replica-announce-ip "$NODE_HOST" "$@"
fi
echo "redis-node: $self starts as replica of $primary, per $known_by"
exec redis-server --port "$NODE_PORT" --replica-announce-ip "$NODE_HOST" --replicaof "${primary%:*}" "${primary##*:}" "$@"
