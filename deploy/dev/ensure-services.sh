#!/usr/bin/env bash
# Make sure MariaDB, Redis and RabbitMQ answer on loopback, and mariadb-backup, the browser
# tests' Chromium, the monitoring configuration's promtool and amtool, the log shipper's
# rsyslog and the MariaDB and Redis exporters are installed, and RabbitMQ's prometheus plugin
# enabled, and kubectl (to render the Kubernetes manifests) and nginx (the load balancer's
# tests run their own) present: start what is installed but stopped, apt-get install what is
# missing.
set -euo pipefail

APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" = 0 ]; then
    apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {  # name, seconds, command...
  local name=$1 seconds=$2; shift 2
  for _ in $(seq 1 "$seconds"); do
    if "$@"; then echo "ok: $name"; return 0; fi
    sleep 1
  done
  echo "error: $name did not come up within ${seconds}s" >&2
  return 1
}

mariadb_tcp_root() { mariadb -h 127.0.0.1 -P 3306 -u root -e 'SELECT 1' >/dev/null 2>&1; }

ensure_mariadb() {
  if ! command -v mariadbd >/dev/null && [ ! -x /usr/sbin/mariadbd ]; then
    echo "installing mariadb-server"; apt_install mariadb-server mariadb-client
  fi
  if ! port_open 3306; then
    echo "starting mariadb"
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  fi
  wait_for "mariadb port" 60 port_open 3306
  if ! mariadb_tcp_root; then
    # A fresh Debian install lets root in through the unix socket only; the tests log in over
    # TCP as root without a password, which is safe because the server listens on loopback.
    mariadb -u root -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD(''); FLUSH PRIVILEGES;"
  fi
  wait_for "mariadb login" 30 mariadb_tcp_root
}

ensure_redis() {
  if ! command -v redis-server >/dev/null; then
    echo "installing redis-server"; apt_install redis-server
  fi
  if ! port_open 6379; then
    echo "starting redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  fi
  wait_for "redis" 30 port_open 6379
}

ensure_rabbitmq() {
  if ! command -v rabbitmq-server >/dev/null && [ ! -x /usr/sbin/rabbitmq-server ]; then
    echo "installing rabbitmq-server"; apt_install rabbitmq-server
  fi
  if ! port_open 5672; then
    echo "starting rabbitmq"
    rabbitmq-server -detached
  fi
  wait_for "rabbitmq" 120 port_open 5672
}

ensure_browser() {
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    echo "installing chromium and chromium-driver for the browser tests"
    apt_install chromium chromium-driver
  fi
  echo "ok: chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}')"
  # npm fetches axe-core, the accessibility checker the browser tests inject (Makefile).
  if ! command -v npm >/dev/null; then
    echo "installing npm for axe-core"
    apt_install npm
  fi
}

ensure_monitoring_tools() {
  # promtool and amtool check the Prometheus and Alertmanager configuration in deploy/. The
  # packages' services are never started here (nothing is run, only the tools).
  if ! command -v promtool >/dev/null || ! command -v amtool >/dev/null; then
    echo "installing prometheus and prometheus-alertmanager for promtool and amtool"
    apt_install --no-install-recommends prometheus prometheus-alertmanager
    # On a host whose package scripts may start services, they would listen on every
    # interface: only the tools are wanted.
    pkill -x prometheus 2>/dev/null || true
    pkill -x prometheus-alertmanager 2>/dev/null || true
  fi
  echo "ok: $(promtool --version 2>&1 | head -1 | awk '{print $1, $3}')"
}

ensure_backup_tools() {
  # The restore drill backs up and restores throwaway servers (tests/integration/test_backup_drill.py).
  if ! command -v mariadb-backup >/dev/null || ! command -v mbstream >/dev/null; then
    echo "installing mariadb-backup for the restore drill"
    apt_install --no-install-recommends mariadb-backup
  fi
  echo "ok: mariadb-backup $(mariadb-backup --version 2>&1 | grep -o '[0-9][0-9.]*-MariaDB' | head -1)"
}

ensure_log_shipping() {
  # The central log collection test runs its own shipper and collector rsyslogd
  # (deploy/logging/, tests/integration/test_log_shipping.py); the system's rsyslog, if the
  # package starts one, is left as it is (it listens on no network port).
  if ! command -v rsyslogd >/dev/null && [ ! -x /usr/sbin/rsyslogd ] \
    || ! compgen -G "/usr/lib/*/rsyslog/omrelp.so" >/dev/null; then
    echo "installing rsyslog and rsyslog-relp for the log shipper and collector"
    apt_install --no-install-recommends rsyslog rsyslog-relp
  fi
  echo "ok: $(/usr/sbin/rsyslogd -v 2>&1 | head -1 | awk '{print $1, $2}')"
}

ensure_exporters() {
  # The exporters beside MariaDB and Redis (deploy/prometheus/prometheus.yml,
  # tests/integration/test_exporters.py runs its own on free ports). Debian's packages would
  # start them on every interface with the packaged defaults (:9104, :9121): only the binaries
  # are wanted, so whatever the package scripts started is stopped and disabled.
  if ! command -v prometheus-mysqld-exporter >/dev/null || ! command -v prometheus-redis-exporter >/dev/null; then
    echo "installing prometheus-mysqld-exporter and prometheus-redis-exporter"
    apt_install --no-install-recommends prometheus-mysqld-exporter prometheus-redis-exporter
    pkill -x prometheus-mysqld-exporter 2>/dev/null || true
    pkill -x prometheus-redis-exporter 2>/dev/null || true
    if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
      systemctl disable --now prometheus-mysqld-exporter prometheus-redis-exporter 2>/dev/null || true
    fi
  fi
  echo "ok: mysqld_exporter $(prometheus-mysqld-exporter --version 2>&1 | awk 'NR==1 {print $3}')," \
    "redis_exporter $(prometheus-redis-exporter --version 2>&1 | grep -o 'Exporter [0-9][0-9.]*' | awk '{print $2}')"
}

ensure_rabbitmq_prometheus() {
  # RabbitMQ's own exporter on 127.0.0.1:15692. The node is shared with the running tests:
  # enabling a plugin on a running node starts it in place (no restart, connections stay).
  # The listener's address is set in the running node before the plugin starts (its default
  # is every interface) and in rabbitmq.conf for the next start.
  local conf=/etc/rabbitmq/rabbitmq.conf
  if [ -d /etc/rabbitmq ] && ! grep -qs '^prometheus.tcp.ip' "$conf"; then
    echo "prometheus.tcp.ip = 127.0.0.1" >>"$conf"
  fi
  if ! rabbitmq-plugins list -e -m 2>/dev/null | grep -qx rabbitmq_prometheus; then
    echo "enabling rabbitmq_prometheus (online)"
    rabbitmqctl -q eval \
      'application:set_env(rabbitmq_prometheus, tcp_config, [{port, 15692}, {ip, "127.0.0.1"}]).' >/dev/null
    rabbitmq-plugins -q enable rabbitmq_prometheus >/dev/null
  fi
  wait_for "rabbitmq_prometheus" 60 port_open 15692
}

ensure_nginx() {
  # tests/integration/test_nginx_balancer.py runs its own nginx processes (-p <tmp dir>, free
  # loopback ports, daemon off); the system's nginx service must never run. A policy-rc.d that
  # answers 101 keeps the package's postinst from starting it (a container has one already).
  if [ ! -x /usr/sbin/nginx ]; then
    echo "installing nginx-light for the load balancer's tests"
    local policy=/usr/sbin/policy-rc.d created=0
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; created=1
    fi
    apt_install nginx-light || apt_install nginx
    if [ "$created" = 1 ]; then rm -f "$policy"; fi
    if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
      systemctl disable --now nginx >/dev/null 2>&1 || true
    fi
  fi
  echo "ok: $(/usr/sbin/nginx -v 2>&1)"
}

ensure_kubectl() {
  # tests/unit/test_k8s_manifests.py renders deploy/k8s with `kubectl kustomize` (offline: no
  # cluster is contacted). The machines come with kubectl; Debian's own kubernetes-client
  # (1.20) embeds a kustomize too old for these manifests, so only a missing one is installed.
  if ! command -v kubectl >/dev/null; then
    echo "installing kubectl for the Kubernetes manifests' test"
    apt_install kubectl
  fi
  echo "ok: kubectl $(kubectl version --client 2>/dev/null | head -1)"
}

ensure_mariadb
ensure_backup_tools
ensure_redis
ensure_rabbitmq
ensure_browser
ensure_monitoring_tools
ensure_log_shipping
ensure_exporters
ensure_rabbitmq_prometheus
ensure_kubectl
ensure_nginx
