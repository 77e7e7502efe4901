#!/usr/bin/env bash
# Back up the district database: one custom-format pg_dump (compressed, restorable table
# by table), written to a temporary name and renamed when complete, then old dumps
# pruned. Run by district-backup.timer as the postgres user; by hand:
#   sudo -u postgres deploy/server/backup.sh
# Settings (environment, or /etc/district/backup.env):
#   DISTRICT_DB                the database (default district)
#   DISTRICT_BACKUP_DIR        where dumps go (default /var/backups/district)
#   DISTRICT_BACKUP_KEEP_DAYS  how many days of dumps to keep (default 14)
#   PGHOST PGPORT PGUSER       as for every PostgreSQL client
# Copy the folder off the machine too (rsync to the province, a USB disk): a backup on
# the same disk as the database is no backup when that disk dies.
set -euo pipefail
db="${DISTRICT_DB:-district}"
dir="${DISTRICT_BACKUP_DIR:-/var/backups/district}"
keep="${DISTRICT_BACKUP_KEEP_DAYS:-14}"
mkdir -p "$dir"
name="$dir/$db-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --compress=6 --no-owner --file="$name.partial" "$db"
mv "$name.partial" "$name"
find "$dir" -maxdepth 1 -name "$db-*.dump" -mtime +"$keep" -delete
echo "$name"
