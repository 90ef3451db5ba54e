#!/bin/sh
# Restore a backup made by backup.sh. Usage: restore.sh FILE [DATABASE_URL]
# The database is DATABASE_URL, else PERCORSO_DATABASE_URL's (the "+psycopg" part is dropped).
# Everything of the backup's is replaced, in one transaction: stop the web processes and the
# workers first, and start them with the PERCORSO_SECRET_KEY of the backup's time (or newer keys
# followed by it).
set -eu
file="${1:?usage: restore.sh FILE [DATABASE_URL]}"
url="${2:-${PERCORSO_DATABASE_URL:?set PERCORSO_DATABASE_URL or give DATABASE_URL}}"
url="$(printf '%s' "$url" | sed 's/^postgresql+[a-z0-9]*:/postgresql:/')"
pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error \
  --dbname="$url" "$file"
echo "restored $file"
