#!/bin/sh
# Runs once, when the PostgreSQL volume is first initialised (the postgres
# image executes /docker-entrypoint-initdb.d/*.sh): one database per service
# and one for the gateway's identity store, all owned by $POSTGRES_USER, and
# the role the services serve as, prm_serving (password
# $PRM_SERVING_DB_PASSWORD): no superuser, subject to row-level security,
# owning nothing. Each service creates its tables itself (migrations run at
# start, as $POSTGRES_USER, who then grants prm_serving the use of them).
# An existing volume does not run this again: deploy/OPERATIONS.md
# ("Database roles and row-level security") has the SQL to add the role.
set -eu
: "${PRM_SERVING_DB_PASSWORD:?set PRM_SERVING_DB_PASSWORD in deploy/.env}"

echo "creating role prm_serving"
# From standard input, so that psql quotes the password (:'password').
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v password="$PRM_SERVING_DB_PASSWORD" <<'SQL'
CREATE ROLE prm_serving LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD :'password';
SQL

for db in gateway account lead project quote order task case report; do
  echo "creating database prm_${db}"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -c "CREATE DATABASE prm_${db} OWNER \"$POSTGRES_USER\""
done

# CONNECT is PUBLIC's by default; granted explicitly on the services'
# databases, which are all prm_serving uses (never the gateway's).
for db in account lead project quote order task case report; do
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -c "GRANT CONNECT ON DATABASE prm_${db} TO prm_serving"
done
