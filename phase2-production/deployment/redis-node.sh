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
# Any arguments are passed on to redis-server (the data settings: AOF, min-replicas, …).
set -eu
: "${REDIS_MASTER_NAME:?}" "${NODE_HOST:?}" "${NODE_PORT:?}" "${INITIAL_PRIMARY:?}"

primary=""
for sentinel in $(echo "${REDIS_SENTINELS:-}" | tr ',' ' '); do
  # A Sentinel that is down or still starting answers nothing; the next one is asked.
  answer=$(timeout 2 redis-cli -h "${sentinel%:*}" -p "${sentinel##*:}" --raw SENTINEL get-master-addr-by-name "$REDIS_MASTER_NAME" 2>/dev/null | tr '\n' ' ' || true)
  host=$(echo "$answer" | cut -d' ' -f1)
  port=$(echo "$answer" | cut -d' ' -f2)
  if [ -n "$host" ] && [ -n "$port" ] && [ "$port" -eq "$port" ] 2>/dev/null; then
    primary="$host:$port"
    break
  fi
done
known_by="the Sentinels"
if [ -z "$primary" ]; then
  primary="$INITIAL_PRIMARY"
  known_by="the initial topology (no Sentinel knows a primary)"
fi

if [ "$primary" = "$NODE_HOST:$NODE_PORT" ]; then
  echo "redis-node: $NODE_HOST:$NODE_PORT starts as primary, per $known_by"
  exec redis-server --port "$NODE_PORT" --replica-announce-ip "$NODE_HOST" "$@"
fi
echo "redis-node: $NODE_HOST:$NODE_PORT starts as replica of $primary, per $known_by"
exec redis-server --port "$NODE_PORT" --replica-announce-ip "$NODE_HOST" --replicaof "${primary%:*}" "${primary##*:}" "$@"
