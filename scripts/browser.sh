#!/bin/bash
# The browser walk (Tests/Browser/walk.py): a fresh database on the running test cluster, the demo data,
# `clauses serve` on a free port, then Selenium driving Debian's headless Chromium. Usage:
#   scripts/browser.sh ADMIN_DATABASE_URL PYTHON
set -euo pipefail
admin_url=$1
python=$2
port=${CLAUSES_BROWSER_PORT:-18089}
db=clauses_browser
psql "$admin_url" -Xq -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
export CLAUSES_DATABASE_URL=${admin_url%/*}/$db
bin=${CLAUSES_BIN:-.build/debug/clauses}
$bin migrate --config config.toml >/dev/null
$bin demo load --config config.toml >/dev/null
$bin serve --config config.toml --host 127.0.0.1 --port "$port" >var/browser-serve.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
rm -rf var/screenshots
CLAUSES_BROWSER_URL="http://127.0.0.1:$port" CLAUSES_SCREENSHOTS=var/screenshots "$python" Tests/Browser/walk.py
