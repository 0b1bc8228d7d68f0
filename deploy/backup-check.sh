#!/usr/bin/env bash
# Back up the survey database and prove the backup restores: pg_dump (custom format), restore
# into a new scratch database, and compare the tallies (answers per campaign, question and
# choice; sealed envelopes and ballots by status) between the live database and the restore.
#
#   deploy/backup-check.sh postgresql://survey@127.0.0.1:5432/survey /var/backups/survey
#
# Exit 0: the dump is written and restores to the same tallies. The scratch database is
# dropped afterwards. Needs pg_dump, pg_restore, createdb, dropdb and psql (postgresql-client).
set -euo pipefail
url="${1:?usage: backup-check.sh DATABASE_URL BACKUP_DIR}"
dir="${2:?usage: backup-check.sh DATABASE_URL BACKUP_DIR}"
url="${url/postgresql+psycopg:/postgresql:}"   # the app's SQLAlchemy URL works too
mkdir -p "$dir"
chmod 700 "$dir"   # the dump holds sealed votes and the receipts: owner only
dump="$dir/survey-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --no-owner --file="$dump" "$url"

scratch="survey_restore_check_$$"
base="${url%/*}"
createdb --maintenance-db="$url" "$scratch"
trap 'dropdb --maintenance-db="$url" --if-exists "$scratch"' EXIT
pg_restore --no-owner --exit-on-error --dbname="$base/$scratch" "$dump"

tallies() {
  psql -X -A -t -v ON_ERROR_STOP=1 "$1" <<'SQL'
SELECT 'answer', r.campaign_id, a.question_id, a.choice, count(*)
  FROM answers a JOIN responses r ON r.id = a.response_id GROUP BY 1, 2, 3, 4 ORDER BY 2, 3, 4;
SELECT 'envelopes', campaign_id, count(*) FROM envelopes GROUP BY 1, 2 ORDER BY 2;
SELECT 'ballots', campaign_id, status, count(*) FROM ballots GROUP BY 1, 2, 3 ORDER BY 2, 3;
SELECT 'schema', version_num FROM alembic_version;
SQL
}
if diff <(tallies "$url") <(tallies "$base/$scratch") >/dev/null; then
  echo "OK: $dump restores to the same tallies ($(tallies "$url" | wc -l) rows compared)"
else
  echo "MISMATCH: $dump does not restore to the live tallies" >&2
  diff <(tallies "$url") <(tallies "$base/$scratch") >&2 || true
  exit 1
fi
