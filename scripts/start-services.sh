#!/usr/bin/env bash
# Starts the services the cluster-mode tests use, on loopback (idempotent; needs root or sudo):
# Debian's PostgreSQL with a role `compox` (password `compox`, may create databases) — each test
# makes a database of its own and drops it. Redis needs nothing here: the tests start their own
# redis-server on a free port.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null; then
  echo "services: PostgreSQL is not installed (npm run setup:system installs it)" >&2
  exit 1
fi
as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sudo -u postgres "$@"; fi; }
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
version=$(ls /etc/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  $sudo pg_ctlcluster --skip-systemctl-redirect "$version" main start
fi
as_postgres psql -q -v ON_ERROR_STOP=1 -c "\"DO \\\$\\\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'compox') THEN CREATE ROLE compox LOGIN PASSWORD 'compox' CREATEDB; END IF; END \\\$\\\$;\""
echo "services: PostgreSQL $version on 127.0.0.1:5432 (role compox)"
