#!/usr/bin/env bash
# Restore a district backup into a NEW, empty database (never over the live one):
#   sudo -u postgres deploy/server/restore.sh /var/backups/district/district-....dump district_restored
# Then point DISTRICT_DATABASE_URL at it (or rename databases while the service is stopped):
#   systemctl stop district; psql -c 'ALTER DATABASE district RENAME TO district_old'
#   psql -c 'ALTER DATABASE district_restored RENAME TO district'; systemctl start district
set -euo pipefail
dump="${1:?usage: restore.sh DUMP NEW_DATABASE}"
target="${2:?usage: restore.sh DUMP NEW_DATABASE}"
owner="${DISTRICT_DB_OWNER:-}"
createdb ${owner:+--owner="$owner"} "$target"
pg_restore --no-owner ${owner:+--role="$owner"} --exit-on-error --single-transaction --dbname="$target" "$dump"
echo "restored $dump into $target"
