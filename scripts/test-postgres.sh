#!/usr/bin/env bash
# Starts the local PostgreSQL cluster (installed by make) and creates the test role and
# database, so the storage and API tests also run against PostgreSQL. Prints the URL on
# stdout and nothing else: what PostgreSQL's tools say goes to stderr. The server is
# started with that stdout closed, or it would hold the caller's $(...) open forever.
set -euo pipefail
exec 3>&1 1>&2
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
cluster=main
if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {found=1} END {exit !found}'; then
  pg_createcluster "$version" "$cluster" >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c && $4=="online" {ok=1} END {exit !ok}'; then
  pg_ctlcluster "$version" "$cluster" start 3>&-
fi
port=$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $3}')
as_postgres() { runuser -u postgres -- "$@"; }
as_postgres psql -p "$port" -qtAc "SELECT 1 FROM pg_roles WHERE rolname='telephonist'" | grep -q 1 \
  || as_postgres psql -p "$port" -qc "CREATE ROLE telephonist LOGIN PASSWORD 'telephonist' CREATEDB"
as_postgres psql -p "$port" -qtAc "SELECT 1 FROM pg_database WHERE datname='telephonist_test'" | grep -q 1 \
  || as_postgres createdb -p "$port" -O telephonist telephonist_test
echo >&3 "postgresql://telephonist:telephonist@127.0.0.1:${port}/telephonist_test"
