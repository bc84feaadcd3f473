#!/usr/bin/env bash
# Back up the portal: PostgreSQL (pg_dump, custom format) and the uploaded files (MEDIA_ROOT).
#
#   DATABASE_URL=postgres://... MEDIA_ROOT=/data/media scripts/backup.sh /backups
#
# Writes /backups/hubdelivery-<UTC time>/ with db.dump, media.tar.gz and SHA256SUMS, and
# prints that folder's path. scripts/restore.sh puts it back. The dump is taken in one
# snapshot while the portal runs; a file uploaded during the run is in the tar or not, and
# its row then points at it or not yet (an upload writes the file before its row commits).
# Media on S3 (MEDIA_STORAGE=s3) is not read here: use the bucket's versioning or replication.
set -euo pipefail

: "${DATABASE_URL:?set DATABASE_URL (postgres://user:password@host:port/database)}"
: "${MEDIA_ROOT:?set MEDIA_ROOT (the folder of uploaded files)}"
target_root="${1:?usage: scripts/backup.sh TARGET_FOLDER}"

folder="$target_root/hubdelivery-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$folder"
umask 077  # documents and proof photos: readable by the backup's owner only

pg_dump --format=custom --no-owner --file="$folder/db.dump" --dbname="$DATABASE_URL"
if [ -d "$MEDIA_ROOT" ]; then
  tar -C "$MEDIA_ROOT" -czf "$folder/media.tar.gz" .
else
  tar -czf "$folder/media.tar.gz" --files-from /dev/null
fi
(cd "$folder" && sha256sum db.dump media.tar.gz > SHA256SUMS)
echo "$folder"
