#!/bin/sh
# Entrypoint of the MeshMQ image (k8s/Dockerfile): cluster addresses default to the container's own IP, member
# host names are turned into IPs, then the JVM replaces this shell (PID 1, so it receives SIGTERM directly).
#
# Its own knobs deliberately do not start with MESHMQ_ (the broker refuses unknown MESHMQ_* variables):
#   JAVA_OPTS                         JVM flags (the image sets container-aware memory flags)
#   MEMBERS_RESOLVE_TIMEOUT_SECONDS   how long to wait for the host names of MESHMQ_CLUSTER_MEMBERS to resolve
#                                     (default 30; 0 = pass the names to the broker unchanged)
set -eu

log() { echo "docker-entrypoint: $*" >&2; }

# `hostname -i` lists the addresses the container's host name resolves to; the first one that is not loopback is
# its IP on its first network. Only used when the operator has not set the address (on Kubernetes: the pod IP
# from the downward API).
if [ -z "${MESHMQ_CLUSTER_HOST:-}" ] || [ -z "${MESHMQ_CLUSTER_EVENTBUS_HOST:-}" ]; then
  own_ip=
  for addr in $(hostname -i 2>/dev/null || true); do
    case "$addr" in
      127.*|::1) ;;                                     # loopback: useless to the other members
      *) own_ip=$addr; break ;;
    esac
  done
  if [ -n "$own_ip" ]; then
    : "${MESHMQ_CLUSTER_HOST:=$own_ip}"
    : "${MESHMQ_CLUSTER_EVENTBUS_HOST:=$own_ip}"
    export MESHMQ_CLUSTER_HOST MESHMQ_CLUSTER_EVENTBUS_HOST
  else
    log "could not find the container's IP (hostname -i); cluster.host stays at its default"
  fi
fi

# Host names in MESHMQ_CLUSTER_MEMBERS become IP:port. Hazelcast's TCP join (5.6) keeps, of the addresses a
# member *host name* resolves to, only those matching the configured interface (cluster.host), so with
# cluster.host set to the container's IP every other member given by name is silently dropped and each node forms
# a cluster of its own. Member IPs are not filtered. The port (cluster.port, as every container has an IP of its
# own) keeps Hazelcast from trying 20 ports per member: after a partition, its search for the other side goes
# through the whole list, and each port of a member that is gone costs a 5 s connect timeout (20 ports: 100 s).
# Names of members that are not up yet may not resolve (container DNS only knows running containers): wait for
# them a bounded time, then keep what resolved (a member started later finds this one through its own list).
resolve_members() {
  members=$1
  deadline=$(( $(date +%s) + ${MEMBERS_RESOLVE_TIMEOUT_SECONDS:-30} ))
  while :; do
    out=
    missing=
    old_ifs=$IFS
    IFS=,
    for entry in $members; do
      IFS=$old_ifs
      entry=$(echo "$entry" | tr -d ' ')
      [ -n "$entry" ] || continue
      case "$entry" in
        \[*|*:*:*) out=${out:+$out,}$entry; continue ;;  # IPv6: passed on as given
      esac
      host=${entry%%:*}
      port=
      [ "$host" = "$entry" ] || port=:${entry#*:}
      case "$host" in
        *[!0-9.*-]*)                                    # a name (not an IPv4 address, range or wildcard)
          ip=$(getent ahostsv4 "$host" 2>/dev/null | awk 'NR == 1 { print $1 }')
          if [ -n "$ip" ]; then
            entry=$ip${port:-:${MESHMQ_CLUSTER_PORT:-5701}}
          else
            missing="$missing $host"
          fi
          ;;
      esac
      out=${out:+$out,}$entry
    done
    IFS=$old_ifs
    if [ -z "$missing" ] || [ "$(date +%s)" -ge "$deadline" ]; then
      [ -z "$missing" ] || log "member host name(s) not resolved in time, passed on unchanged:$missing"
      RESOLVED_MEMBERS=$out
      return 0
    fi
    sleep 1
  done
}

case "${MESHMQ_CLUSTER_ENABLED:-false}" in
  true|TRUE|True)
    case "${MESHMQ_CLUSTER_DISCOVERY:-tcp}" in
      tcp|TCP)
        if [ -n "${MESHMQ_CLUSTER_MEMBERS:-}" ] && [ "${MEMBERS_RESOLVE_TIMEOUT_SECONDS:-30}" != 0 ]; then
          resolve_members "$MESHMQ_CLUSTER_MEMBERS"
          if [ "$RESOLVED_MEMBERS" != "$MESHMQ_CLUSTER_MEMBERS" ]; then
            log "cluster.members $MESHMQ_CLUSTER_MEMBERS -> $RESOLVED_MEMBERS"
            MESHMQ_CLUSTER_MEMBERS=$RESOLVED_MEMBERS
            export MESHMQ_CLUSTER_MEMBERS
          fi
        fi
        ;;
    esac
    ;;
esac

# JAVA_OPTS is split on spaces on purpose (several flags in one variable).
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -jar /opt/meshmq/meshmq.jar "$@"
