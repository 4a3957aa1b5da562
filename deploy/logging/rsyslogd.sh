#!/usr/bin/env bash
# Run the log shipper or the central collector in the foreground (a supervisor, systemd or a
# container keeps it running):
#
#   deploy/logging/rsyslogd.sh shipper|collector [more rsyslogd options, e.g. -N1 to check]
#
# Each setting comes from the environment, else the production default below, and reaches
# the config (shipper.conf, collector.conf) as an environment variable. rsyslogd runs with
# -n, its own config (-f), pid file (-i) and work directory: the system's rsyslog, if one
# runs, is left alone, and a shipper and a collector can share a host.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

fail() { echo "error: $*" >&2; exit 2; }

port() {  # name: the variable must hold a TCP port
  local value=${!1}
  [[ $value =~ ^[0-9]+$ ]] && ((value >= 1 && value <= 65535)) || fail "$1 must be a TCP port (1-65535), not '$value'"
}

absolute() {  # name: the variable must hold an absolute path without spaces
  local value=${!1}
  [[ $value == /* && $value != *[[:space:]]* ]] || fail "$1 must be an absolute path without spaces, not '$value'"
}

role=${1:-}
[ $# -gt 0 ] && shift
case $role in
  shipper)
    export LOG_DIR=${LOG_DIR:-/var/log/pools}
    export LOG_SHIPPER_WORK_DIR=${LOG_SHIPPER_WORK_DIR:-/var/spool/pools-log-shipper}
    export LOG_COLLECTOR_HOST=${LOG_COLLECTOR_HOST:-log-collector}
    export LOG_COLLECTOR_PORT=${LOG_COLLECTOR_PORT:-10514}
    export LOG_SHIPPER_QUEUE_MAX_DISK=${LOG_SHIPPER_QUEUE_MAX_DISK:-2g}
    export LOG_HOSTNAME=${LOG_HOSTNAME:-$(hostname -s)}
    absolute LOG_DIR
    absolute LOG_SHIPPER_WORK_DIR
    port LOG_COLLECTOR_PORT
    [[ $LOG_COLLECTOR_HOST =~ ^[A-Za-z0-9.:-]+$ ]] || fail "LOG_COLLECTOR_HOST must be a host name or address, not '$LOG_COLLECTOR_HOST'"
    [[ $LOG_SHIPPER_QUEUE_MAX_DISK =~ ^[0-9]+[kmg]?$ ]] || fail "LOG_SHIPPER_QUEUE_MAX_DISK must be a size such as 2g or 500m, not '$LOG_SHIPPER_QUEUE_MAX_DISK'"
    [[ $LOG_HOSTNAME =~ ^[A-Za-z0-9._-]{1,255}$ ]] || fail "LOG_HOSTNAME must be a host name, not '$LOG_HOSTNAME'"
    # rsyslog's backtick strings expand `echo $NAME` only: every value goes in whole.
    export LOG_FILES="$LOG_DIR/*.log"
    export LOG_SHIPPER_STATS_FILE="$LOG_SHIPPER_WORK_DIR/impstats.json"
    work=$LOG_SHIPPER_WORK_DIR
    ;;
  collector)
    export LOG_COLLECTOR_ADDRESS=${LOG_COLLECTOR_ADDRESS:-0.0.0.0}
    export LOG_COLLECTOR_PORT=${LOG_COLLECTOR_PORT:-10514}
    export LOG_COLLECTOR_DIR=${LOG_COLLECTOR_DIR:-/var/log/pools-collected}
    export LOG_COLLECTOR_WORK_DIR=${LOG_COLLECTOR_WORK_DIR:-/var/spool/pools-log-collector}
    [[ $LOG_COLLECTOR_ADDRESS =~ ^[A-Za-z0-9.:-]+$ ]] || fail "LOG_COLLECTOR_ADDRESS must be an address, not '$LOG_COLLECTOR_ADDRESS'"
    port LOG_COLLECTOR_PORT
    absolute LOG_COLLECTOR_DIR
    absolute LOG_COLLECTOR_WORK_DIR
    mkdir -p "$LOG_COLLECTOR_DIR"
    work=$LOG_COLLECTOR_WORK_DIR
    ;;
  *)
    fail "usage: $0 shipper|collector [rsyslogd options] (got '$role')"
    ;;
esac

rsyslogd=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
missing() { echo "error: $1 is not installed (apt-get install rsyslog rsyslog-relp; make services does)" >&2; exit 127; }
[ -x "$rsyslogd" ] || missing rsyslogd
# Without its RELP module rsyslogd would start anyway and forward or receive nothing.
relp=$([ "$role" = shipper ] && echo omrelp || echo imrelp)
compgen -G "/usr/lib/*/rsyslog/$relp.so" >/dev/null || compgen -G "/usr/lib/rsyslog/$relp.so" >/dev/null || missing "rsyslog's $relp module (rsyslog-relp)"
mkdir -p "$work"
exec "$rsyslogd" -n -f "$here/$role.conf" -i "$work/rsyslogd.pid" "$@"
