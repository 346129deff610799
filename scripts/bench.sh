#!/usr/bin/env bash
# Every benchmark, one after the other, on the local PostgreSQL and Redis. Results are
# printed; docs/benchmarks.md records the figures and how they were taken.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL=${PG_URL:-$($BIN/python scripts/services.py postgres || true)}
REDIS=${REDIS_TEST_URL:-$($BIN/python scripts/services.py redis || true)}
if [ -z "$PG_URL" ] || [ -z "$REDIS" ]; then
    echo "The benchmarks need PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379." >&2
    exit 1
fi
echo "== workflow transitions"
DATABASE_URL=$PG_URL $BIN/python bench/transitions.py
echo "== portfolio"
$BIN/python bench/portfolio.py
echo "== real-time fan-out"
$BIN/python bench/fanout.py
echo "== repository scan"
$BIN/python bench/scan.py
echo "== background tasks"
DATABASE_URL=$PG_URL $BIN/python bench/tasks.py
echo "== live project pages, browser to browser"
$BIN/python bench/live_pages.py
