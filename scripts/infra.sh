#!/usr/bin/env bash
# Makes sure PostgreSQL, Redis and RabbitMQ (with the plugins the bus needs) run on this machine.
# Installs them with apt-get when absent, starts them when stopped; does nothing when all is up.
set -euo pipefail
cd "$(dirname "$0")/.."

need_packages=()
command -v pg_ctlcluster >/dev/null || need_packages+=(postgresql)
command -v redis-server >/dev/null || need_packages+=(redis-server)
command -v rabbitmq-server >/dev/null || need_packages+=(rabbitmq-server)
if [ ${#need_packages[@]} -gt 0 ]; then
  echo "infra: installing ${need_packages[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_packages[@]}" >/dev/null
fi

if ! pg_isready -h 127.0.0.1 -q; then
  echo "infra: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
fi

if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  echo "infra: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if ! port_open 5672; then
  echo "infra: starting RabbitMQ"
  rabbitmq-server -detached
  for _ in $(seq 1 60); do port_open 5672 && break; sleep 1; done
fi
# The bus partitions consumers with a consistent-hash exchange; tests make vhosts over the HTTP API.
if ! curl -sf -u guest:guest http://127.0.0.1:15672/api/overview | grep -q x-consistent-hash; then
  echo "infra: enabling RabbitMQ plugins"
  rabbitmq-plugins enable rabbitmq_consistent_hash_exchange rabbitmq_management >/dev/null
  for _ in $(seq 1 30); do curl -sf -u guest:guest http://127.0.0.1:15672/api/overview >/dev/null && break; sleep 1; done
fi

for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -q && break; sleep 1; done
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'relaydesk'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE relaydesk"
echo "infra: PostgreSQL, Redis and RabbitMQ are up"
