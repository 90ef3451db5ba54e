#!/bin/sh
# Back up percorso's PostgreSQL database in pg_dump's custom format (compressed; restore.sh reads
# it). Usage: backup.sh [FILE or DIRECTORY]  (default: the current directory)
# The database is PERCORSO_DATABASE_URL's (the SQLAlchemy driver part, "+psycopg", is dropped).
# Personal data stays encrypted in the file: without PERCORSO_SECRET_KEY it cannot be read,
# so keep the key apart from the backups, and both safe.
set -eu
url="${PERCORSO_DATABASE_URL:?set PERCORSO_DATABASE_URL}"
url="$(printf '%s' "$url" | sed 's/^postgresql+[a-z0-9]*:/postgresql:/')"
target="${1:-.}"
if [ -d "$target" ]; then
  target="$target/percorso-$(date -u +%Y%m%dT%H%M%SZ).dump"
fi
# Written beside its name and renamed when whole: a failed dump never looks like a backup.
pg_dump --format=custom --no-owner --file="$target.partial" --dbname="$url"
mv "$target.partial" "$target"
echo "$target"
