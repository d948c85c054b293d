#!/bin/sh
# Runs once, when the PostgreSQL volume is first initialised (the postgres
# image executes /docker-entrypoint-initdb.d/*.sh): one database per service
# and one for the gateway's identity store, all owned by $POSTGRES_USER.
# Each service creates its tables itself (migrations run at start).
set -eu
for db in gateway account lead project quote order task case report; do
  echo "creating database prm_${db}"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -c "CREATE DATABASE prm_${db} OWNER \"$POSTGRES_USER\""
done
