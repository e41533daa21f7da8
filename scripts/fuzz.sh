#!/usr/bin/env bash
# The OpenAPI fuzzer (schemathesis) against the real binary and a real database, once per role:
# for each role a fresh database (migrated, demo data loaded), a token of that role's demo account, the
# service started on its own port, and schemathesis run against the OpenAPI document it serves.
# Fails on any 5xx, response not matching its schema, undocumented status or wrong content type.
#   scripts/fuzz.sh SECONDS_PER_ROLE [SEED]      (a fixed seed in `make test`, a random one in `make fuzz`)
# Needs CLAUSES_TEST_DATABASE_URL (the cluster's postgres database, as `make test` exports it) and
# SCHEMATHESIS (the schemathesis command, installed by the Makefile in var/venv).
set -euo pipefail
seconds=${1:-20}
seed=${2:+--seed $2}
bin=${CLAUSES_BIN:-.build/debug/clauses}
admin_url=${CLAUSES_TEST_DATABASE_URL:?CLAUSES_TEST_DATABASE_URL is not set: run through make test or make fuzz}
schemathesis=${SCHEMATHESIS:?SCHEMATHESIS is not set}
out=var/fuzz
mkdir -p "$out"

# Operations that would take away the caller's own access are left out (none exist in the API yet:
# deactivating one's own account, revoking one's own token); list them here as they appear.
exclude=()

declare -A emails=(
  [admin]=admin@demo.clauses.fr [facilitator]=facilitatrice@demo.clauses.fr [referent]=referent@demo.clauses.fr
  [buyer]=acheteur@demo.clauses.fr [company]=entreprise@demo.clauses.fr
)
port=18080
status=0
for role in admin facilitator referent buyer company; do
  db="fuzz_${role}"
  psql "$admin_url" -Xq -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  export CLAUSES_DATABASE_URL="${admin_url%/*}/$db"
  config="$out/config.toml"
  printf '[server]\nport = %s\n[log]\nlevel = "warning"\n[mail]\ndirectory = "%s/mail"\n' "$port" "$out" >"$config"
  "$bin" migrate --config "$config" >/dev/null
  "$bin" demo load --config "$config" >/dev/null
  token=$("$bin" token create --config "$config" --email "${emails[$role]}" --name fuzz)
  "$bin" serve --config "$config" >"$out/$role.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  echo "schemathesis as $role (${seconds} s)"
  # Run from var/fuzz: schemathesis keeps its cache of past failures (replayed first) in the working directory.
  # shellcheck disable=SC2086
  (cd "$out" && "$schemathesis" run "http://127.0.0.1:$port/api/v1/openapi" --url "http://127.0.0.1:$port" \
      -H "Authorization: Bearer $token" --max-time "$seconds" $seed --workers 2 \
      --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
      --suppress-health-check all --report junit --report-junit-path "$role.xml" "${exclude[@]}" \
      >"$role.txt" 2>&1) || true
  # What the API did wrong are the report's failures; its errors are the generator's own trouble
  # (hypothesis's flaky-draw errors), shown but not held against the service.
  read -r failures errors < <(python3 -c 'import sys, xml.etree.ElementTree as T; r = T.parse(sys.argv[1]).getroot(); print(r.get("failures"), r.get("errors"))' "$out/$role.xml")
  if [ "$failures" != 0 ]; then
    status=1
    echo "schemathesis found $failures failure(s) as $role: $out/$role.txt"
    grep -E '^_+ |^- ST|^\[[0-9]{3}\]|curl -X' "$out/$role.txt" | head -n 40
  elif [ "$errors" != 0 ]; then
    echo "  (schemathesis reported $errors error(s) of its own as $role: $out/$role.txt)"
  fi
  if ! kill -0 "$server" 2>/dev/null; then
    status=1; echo "the service stopped during the run as $role: $out/$role.log"; tail -n 30 "$out/$role.log"
  else
    kill "$server"; wait "$server" || true
  fi
  psql "$admin_url" -Xq -c "DROP DATABASE IF EXISTS $db"
  port=$((port + 1))
done
exit $status
