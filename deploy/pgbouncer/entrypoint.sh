#!/bin/sh
# Writes the one login PgBouncer accepts (the portal's) from the environment, then runs it.
# The password is kept in clear in the container's memory-backed file: PgBouncer needs it to
# log in to PostgreSQL with SCRAM on the client's behalf.
set -eu
: "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
umask 077
printf '"hubdelivery" "%s"\n' "$POSTGRES_PASSWORD" > /etc/pgbouncer/userlist.txt
exec pgbouncer /etc/pgbouncer/pgbouncer.ini
