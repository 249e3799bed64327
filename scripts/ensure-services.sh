#!/usr/bin/env bash
# Makes sure NATS (with JetStream) and PostgreSQL are installed and answering on 127.0.0.1,
# starting them with this machine's own commands when they are not. Idempotent.
set -euo pipefail

up() { (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() {
  for _ in $(seq 1 60); do up "$1" && return 0; sleep 0.5; done
  echo "ensure-services: nothing answers on 127.0.0.1:$1" >&2
  return 1
}
apt_install() {
  if ! command -v apt-get >/dev/null; then echo "ensure-services: install $* by hand" >&2; return 1; fi
  [ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -n1)" ] || apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if ! command -v nats-server >/dev/null && [ ! -x /usr/sbin/nats-server ]; then apt_install nats-server; fi
if ! up 4222; then
  mkdir -p /var/lib/nats-server
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
  wait_port 4222
fi
echo "ensure-services: NATS on 127.0.0.1:4222"

if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then apt_install postgresql; fi
if ! up 5432; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  wait_port 5432
fi
echo "ensure-services: PostgreSQL on 127.0.0.1:5432"

# Tools the tests call: promtool/amtool for the alert rules and the fire drill, the PostgreSQL
# client for backups (pg_dump, pg_restore).
need=()
command -v promtool >/dev/null || need+=(prometheus)
command -v amtool >/dev/null || need+=(prometheus-alertmanager)
[ -x /usr/lib/postgresql/15/bin/pg_dump ] || command -v pg_dump >/dev/null || need+=(postgresql-client)
if [ "${#need[@]}" -gt 0 ]; then
  echo "ensure-services: installing ${need[*]}"
  apt_install "${need[@]}"
fi
echo "ensure-services: promtool $(promtool --version 2>&1 | head -n1 | awk '{print $3}'), amtool present"
