#!/usr/bin/env bash
# The whole suite on the embedded default (SQLite, in-memory channel layer), then again on
# PostgreSQL + Redis when they answer. Under CI=true missing services fail the run.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

echo "== lint"
$BIN/ruff check .
$BIN/ruff format --check .
$BIN/lint-imports --no-cache
$BIN/python manage.py makemigrations --check --dry-run

echo "== suite on the embedded default (SQLite, in-memory channel layer)"
$BIN/pytest "$@"

PG_URL=${PG_URL:-$($BIN/python scripts/services.py postgres || true)}
REDIS_URL_TEST=${REDIS_TEST_URL:-$($BIN/python scripts/services.py redis || true)}
if [ -z "$PG_URL" ] || [ -z "$REDIS_URL_TEST" ]; then
    if [ "${CI:-}" = "true" ]; then
        echo "PostgreSQL or Redis does not answer on 127.0.0.1 and CI=true: failing." >&2
        exit 1
    fi
    echo "== skipped the PostgreSQL + Redis run: start them on 127.0.0.1:5432 and :6379 to run it"
    exit 0
fi

echo "== suite on PostgreSQL + Redis ($PG_URL, $REDIS_URL_TEST)"
DATABASE_URL=$PG_URL REDIS_URL=$REDIS_URL_TEST \
SECRET_KEY=test-only-$(head -c 48 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9') \
ALLOWED_HOSTS=127.0.0.1,localhost,testserver SECURE_SSL_REDIRECT=0 \
    $BIN/pytest "$@"
