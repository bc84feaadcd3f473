#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an absent or empty database and media folder.
#
#   DATABASE_URL=postgres://... MEDIA_ROOT=/data/media scripts/restore.sh /backups/hubdelivery-...
#
# Checks the backup's checksums first. Creates the database DATABASE_URL names when it does
# not exist (through the server's `postgres` database), and refuses to restore over a
# database that has tables or a MEDIA_ROOT that holds files: a restore never mixes with live
# data. Stop the web nodes, workers and beat first; run `manage.py migrate` after a restore
# into a newer release.
set -euo pipefail

: "${DATABASE_URL:?set DATABASE_URL (postgres://user:password@host:port/database)}"
: "${MEDIA_ROOT:?set MEDIA_ROOT (the folder of uploaded files)}"
folder="${1:?usage: scripts/restore.sh BACKUP_FOLDER}"

(cd "$folder" && sha256sum --check --quiet SHA256SUMS)

url_without_query="${DATABASE_URL%%\?*}"
database="${url_without_query##*/}"
server_url="${url_without_query%/*}/postgres"
exists=$(psql "$server_url" -tAc "SELECT 1 FROM pg_database WHERE datname = '${database//\'/\'\'}'")
if [ "$exists" != "1" ]; then
  psql "$server_url" -q -c "CREATE DATABASE \"${database//\"/\"\"}\""
fi
tables=$(psql "$DATABASE_URL" -tAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" != "0" ]; then
  echo "restore.sh: database $database has $tables tables; restore into an empty one" >&2
  exit 1
fi
if [ -d "$MEDIA_ROOT" ] && [ -n "$(ls -A "$MEDIA_ROOT")" ]; then
  echo "restore.sh: $MEDIA_ROOT is not empty; restore into an empty folder" >&2
  exit 1
fi

pg_restore --no-owner --exit-on-error --single-transaction --dbname="$DATABASE_URL" "$folder/db.dump"
mkdir -p "$MEDIA_ROOT"
tar -C "$MEDIA_ROOT" -xzf "$folder/media.tar.gz"
echo "restored $database and $MEDIA_ROOT from $folder"
