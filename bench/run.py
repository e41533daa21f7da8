#!/usr/bin/env python3
"""Measures `clauses` on the database bench/generate.py loaded (Python 3 standard library only).

1. starts `clauses serve` (the release binary) on a free port against the bench database and waits for /readyz;
2. lot balance: `GET /api/v1/lots/{id}/balance` over N lots drawn at random (seeded), one keep-alive
   connection, sequential requests, after a warm-up on other lots: median, p95, p99;
3. buyer balance: `GET /api/v1/buyers/{id}/balance` for the buyer holding 1,000 lots, 20 runs after a
   warm-up: median, p95;
4. hours import: a 100,000-line CSV (`;`, French decimals, the documented header) of months not yet
   reported on existing placements, within each placement's period and not after the current month,
   imported by `clauses import hours FILE`: lines/s (wall time of the command, parsing and checks
   included); the imported reports are deleted afterwards so the database can be measured again;
5. other users under load: p95 of `GET /api/v1/me` (one keep-alive connection) idle, then during a login
   flood (16 clients posting the login form with wrong passwords for unknown accounts, each from its own
   address through `X-Forwarded-For`, the service trusting 127.0.0.1 as its proxy: neither throttle
   triggers, every attempt costs a bcrypt check), then during the largest upload the service accepts
   (`imports.max_lines` lines of real placements padded to `server.max_import_body_bytes`, sent again and
   again with `dryRun=true`): the ratio to idle, target <= 2;
6. indicators: `GET /api/v1/indicators?profile=NAME&year=YYYY` for each PLIE profile of the territory (the
   last full year by default), N runs after a warm-up: the worst profile's p95, target <= 2 s;
7. memory: VmHWM (peak) and VmRSS of the service process from /proc/PID/status after the measures;
8. limits, measured in the same run, each figure's ratio to its limit:
   - `GET /healthz` (a constant route, no database) on the same keep-alive connection: the floor of any request;
   - the bare SQL a balance needs (lots with their contract, clause and contractor; then one row per placement
     with the plain sums of its current non-rejected reports up to the balance month, validated and declared
     apart: plain joins, SUM and GROUP BY p.id), through one `psql` process with `\\timing on`
     and its rows sent to /dev/null, for the same lots (lot balance: p95 over the same sample, target
     p95 <= 3 x (SQL p95 + /healthz p95)) and for the same buyer (same number of runs, target p95 <= 2 x SQL p95);
   - a bare `COPY hour_reports (...) FROM STDIN` of the imported file's rows (placement codes resolved to ids,
     columns as the import stores them) in a transaction rolled back, timed by `\\timing`: rows/s, target
     import lines/s >= 0.5 x COPY rows/s;
9. bilan (bench/bilan.py): `GET /api/v1/reports/buyer/{id}` (JSON, since the start) for the buyer holding 1,000
   lots, BENCH_BUYER_RUNS runs after a warm-up, target p95 <= 2 s, beside the bare SQL gathering the same facts;
10. mail sender (bench/mail.py): BENCH_MAIL_MESSAGES messages written into the outbox, drained by
   `clauses job run send-mail` to a local aiosmtpd sink (messages/s over the job's own recorded duration),
   beside its limit: the same rendered message sent as many times by libcurl in a bare C loop
   (bench/smtp_loop.c, one handle and connection per message like the service) to the same sink;
11. matching (bench/matching.py): the data the shortlist reads prepared before the service starts (reference data
   through `clauses refdata import`, participants topped up to 200,000 and given communes, mobility and ROME codes,
   a few needs at different work sites), then `GET /api/v1/needs/{id}/shortlist` for each need, 5 warm-up then
   BENCH_MATCHING_RUNS runs: the worst need's p95, target <= 100 ms, beside the shortlist's own facts statement run
   bare through psql, with the number of people its pre-selection reads and its plan (var/bench/matching-plan.txt).

Prints a table with PASS/MISS against the issue's targets and writes var/bench/results.json. Exits 0
whatever the figures (a measurement, not a test); non-zero only when something could not be measured.
"""
import argparse
import csv
import datetime as dt
import re
import threading
import urllib.parse
import http.client
import json
import os
import platform
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time

from mail import measure_mail
from alerts import measure_alerts
from bilan import measure_bilan
from matching import measure_matching, prepare_matching

TARGETS = {  # metric -> (limit, "max" | "min", unit)
    "lot_balance_p95_ms": (10.0, "max", "ms"),
    "buyer_balance_p95_ms": (100.0, "max", "ms"),
    "import_lines_per_s": (20_000.0, "min", "lines/s"),
    "login_flood_p95_ratio": (2.0, "max", "× idle"),
    "max_upload_p95_ratio": (2.0, "max", "× idle"),
    "service_peak_rss_mb": (200.0, "max", "MB"),
    "indicators_p95_ms": (2000.0, "max", "ms"),
    "alerts_scan_seconds": (10.0, "max", "s"),
    "bilan_p95_ms": (2000.0, "max", "ms"),
    "alerts_scan_peak_rss_mb": (200.0, "max", "MB"),
    "matching_p95_ms": (100.0, "max", "ms"),
    # Each speed figure against its limit measured in the same run (`BALANCE_SQL`, `measure_healthz`, `copy_limit`).
    "lot_balance_ratio": (3.0, "max", "× (SQL + /healthz)"),
    "buyer_balance_ratio": (2.0, "max", "× SQL"),
    "import_ratio": (0.5, "min", "× COPY"),
    "indicators_ratio": (2.0, "max", "× SQL"),
}

# The facts of a profile's indicators over a period, written plainly and independently of the service's
# query: `{profile}`, `{first}` and `{last}` (the period), `{age}` (the profile's senior age), `{validity}`
# (months an eligibility proof is valid). Each statement recomputes the pathways of the period (`sel`) and
# the people they accompany (`people`: earliest entry, last day within the period).
INDICATOR_WITH = """
WITH sel AS (SELECT pw.participant_id, pw.entry_date, pw.exit_date, pw.exit_kind, pw.referent_user_id
             FROM pathways pw JOIN plie pl ON pl.id = pw.plie_id
             WHERE pl.profile = '{profile}' AND pw.entry_date <= '{last}' AND (pw.exit_date IS NULL OR pw.exit_date >= '{first}')),
     people AS (SELECT participant_id, min(entry_date) AS entry, max(least(coalesce(exit_date, '{last}'), '{last}')) AS last_day
                FROM sel GROUP BY participant_id)
"""
INDICATOR_SQL = [INDICATOR_WITH + """
SELECT count(*), count(*) FILTER (WHERE pa.sex = 'F'), count(*) FILTER (WHERE pa.priority_area IN ('qpv', 'tva')),
       count(*) FILTER (WHERE pa.priority_area = 'qpv'), count(*) FILTER (WHERE pa.birth_date <= p.entry - interval '{age} years'),
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM eligibility_criteria ec WHERE ec.participant_id = p.participant_id
                        AND ec.code = 'RSA' AND ec.validated_at IS NOT NULL
                        AND ec.proof_date BETWEEN p.entry - interval '{validity} months' AND p.last_day))
FROM people p JOIN participants pa ON pa.id = p.participant_id
""", INDICATOR_WITH + """
SELECT count(*) FILTER (WHERE entry_date >= '{first}'), count(DISTINCT referent_user_id) FROM sel
""", INDICATOR_WITH + """
SELECT exit_kind, count(*) FROM sel WHERE exit_date <= '{last}' GROUP BY exit_kind
""", INDICATOR_WITH + """
SELECT count(*) FROM people p JOIN (
    SELECT participant_id, start_date, end_date, contract_type FROM employment_episodes
    UNION ALL SELECT participant_id, start_date, end_date, contract_type FROM placements) j ON j.participant_id = p.participant_id
WHERE j.start_date BETWEEN greatest(p.entry, '{first}') AND p.last_day AND j.contract_type <> 'training'
  AND (j.contract_type IN ('subsidised', 'cddi') OR j.end_date < j.start_date + interval '6 months')
""", INDICATOR_WITH + """
SELECT sum(h.worked_hours) FROM people p JOIN placements pl ON pl.participant_id = p.participant_id
  AND pl.start_date <= '{last}' AND (pl.end_date IS NULL OR pl.end_date >= '{first}')
JOIN hour_reports h ON h.placement_id = pl.id AND h.current AND h.status = 'validated'
WHERE h.month >= date_trunc('month', '{first}'::date) AND h.month <= '{last}'
"""]

# Senior ages of the built-in profiles (config.toml), for the bare SQL.
PROFILE_SENIOR_AGE = {"istres-ouest-provence-2020": 54, "pays-d-aix": 50, "nord-ouest-91": 50}

# The facts a balance reads, written plainly (joins, plain SUMs and GROUP BY; no packing, independent of the
# service's own query), aggregated at the level the answer needs, in two statements: (1) the lots of the subject
# with their contract, clause (calibration mode, required hours, counting overrides), execution dates and
# contractor; (2) one row per placement of those lots: its facts and the plain sums of its current non-rejected
# reports up to the balance month, validated and declared apart (worked, training, attested, amount, number of
# reports; `GROUP BY p.id`, not by month: no row per report or per month travels).
# `{where}` picks the lots (on `l` and `pc`), `{month}` is the balance month (its first day).
BALANCE_SQL = ["""
SELECT l.id AS lot_id, l.number, l.label, l.execution_start, l.execution_end, pc.reference, ic.calibration_mode,
       ic.required_hours, ic.counting_overrides, ctr.company_id AS contractor_id, cc.name AS contractor_name
FROM lots l
JOIN public_contracts pc ON pc.id = l.public_contract_id
JOIN insertion_clauses ic ON ic.lot_id = l.id
LEFT JOIN lot_companies ctr ON ctr.lot_id = l.id AND ctr.role = 'contractor'
LEFT JOIN companies cc ON cc.id = ctr.company_id
WHERE {where}
""", """
SELECT p.lot_id, p.code, p.execution_mode, p.contract_type, p.start_date, p.end_date, p.counting, p.on_clause_operation,
       sum(h.worked_hours) FILTER (WHERE h.status = 'validated') AS worked,
       sum(h.training_hours) FILTER (WHERE h.status = 'validated') AS training,
       sum(h.attested_insertion_hours) FILTER (WHERE h.status = 'validated') AS attested,
       sum(h.subcontract_amount) FILTER (WHERE h.status = 'validated') AS amount,
       count(*) FILTER (WHERE h.status = 'validated') AS reports,
       sum(h.worked_hours) FILTER (WHERE h.status = 'declared') AS declared_worked,
       sum(h.training_hours) FILTER (WHERE h.status = 'declared') AS declared_training,
       sum(h.attested_insertion_hours) FILTER (WHERE h.status = 'declared') AS declared_attested,
       sum(h.subcontract_amount) FILTER (WHERE h.status = 'declared') AS declared_amount,
       count(*) FILTER (WHERE h.status = 'declared') AS declared_reports
FROM lots l
JOIN public_contracts pc ON pc.id = l.public_contract_id
JOIN placements p ON p.lot_id = l.id
LEFT JOIN hour_reports h ON h.placement_id = p.id AND h.current AND h.status <> 'rejected' AND h.month <= '{month}'
WHERE {where}
GROUP BY p.id
"""]

# The columns the import's INSERT fills, in its order (Sources/ClausesCore/Imports/ImportService.swift).
IMPORT_COLUMNS = ["placement_id", "month", "worked_hours", "training_hours", "attested_insertion_hours", "subcontract_amount",
                  "source", "status", "comment", "declared_by", "declared_by_label", "validated_by", "validated_by_label",
                  "validated_at", "correction_of"]


def log(message):
    print(f"[run {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def psql(url, sql):
    result = subprocess.run(["psql", url, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                            check=True, capture_output=True, text=True, env=dict(os.environ, PGCLIENTENCODING="UTF8"))
    return [line.split("\t") for line in result.stdout.splitlines() if line]


def psql_timed(url, script, label):
    """Runs a psql script whose statements follow a `\\timing on`, query output to /dev/null (`\\o`): the
    `Time: x ms` lines psql prints (send, execution and reception of the whole result; not the printing), in
    order. C locale: the line is not translated and its decimal separator is a dot."""
    result = subprocess.run(["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"], input=script, capture_output=True,
                            text=True, env=dict(os.environ, PGCLIENTENCODING="UTF8", LC_ALL="C", LANG="C", LANGUAGE=""))
    if result.returncode != 0:
        raise RuntimeError(f"psql ({label}) exited with status {result.returncode}: {result.stderr.strip()[-1000:]}")
    return [float(t) for t in re.findall(r"(?m)^Time: ([0-9]+(?:\.[0-9]+)?) ms", result.stdout)]


def psql_stdin(url, sql):
    """`psql` for a statement too long for a command-line argument (read from standard input)."""
    result = subprocess.run(["psql", url, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-f", "-"], input=sql,
                            check=True, capture_output=True, text=True, env=dict(os.environ, PGCLIENTENCODING="UTF8"))
    return [line.split("\t") for line in result.stdout.splitlines() if line]


def one_line(sql):
    return " ".join(sql.split())


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def summary(times_ms):
    return {"count": len(times_ms), "median_ms": round(statistics.median(times_ms), 3), "p95_ms": round(percentile(times_ms, 95), 3),
            "p99_ms": round(percentile(times_ms, 99), 3), "mean_ms": round(statistics.fmean(times_ms), 3),
            "min_ms": round(min(times_ms), 3), "max_ms": round(max(times_ms), 3)}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                fields[key] = int(value.split()[0]) / 1024  # kB -> MB
    return fields


class Client:
    """One keep-alive HTTP/1.1 connection, requests one after the other."""

    def __init__(self, port, token):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def get(self, path):
        start = time.perf_counter_ns()
        self.connection.request("GET", path, headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter_ns() - start) / 1e6
        return response.status, body, elapsed

    def timed(self, path):
        status, body, elapsed = self.get(path)
        if status != 200:
            raise SystemExit(f"run: GET {path} answered {status}: {body[:300].decode(errors='replace')}")
        return elapsed, body


def env(name, default=None):
    """An environment variable; empty counts as unset (make passes empty variables)."""
    return os.environ.get(name) or default


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default=env("BENCH_DATABASE_URL") or env("CLAUSES_DATABASE_URL"))
    p.add_argument("--clauses-bin", default=env("CLAUSES_BIN", ".build/release/clauses"))
    p.add_argument("--config", default=env("CONFIG", "config.toml"))
    p.add_argument("--lot-samples", type=int, default=int(env("BENCH_LOT_SAMPLES", "500")))
    p.add_argument("--warmup", type=int, default=int(env("BENCH_WARMUP", "50")))
    p.add_argument("--buyer-runs", type=int, default=int(env("BENCH_BUYER_RUNS", "20")))
    p.add_argument("--import-lines", type=int, default=int(env("BENCH_IMPORT_LINES", "100000")))
    p.add_argument("--keep-imported", action="store_true", help="keep the imported reports (default: deleted after the measure)")
    p.add_argument("--skip", default=env("BENCH_SKIP", ""), help="comma-separated measures to skip: lot,buyer,bilan,indicators,pages,import,flood,upload,mail,alerts,matching,limits")
    p.add_argument("--mail-messages", type=int, default=int(env("BENCH_MAIL_MESSAGES", "2000")))
    p.add_argument("--probe-seconds", type=float, default=float(env("BENCH_PROBE_SECONDS", "10")))
    p.add_argument("--flood-clients", type=int, default=int(env("BENCH_FLOOD_CLIENTS", "16")))
    p.add_argument("--seed", type=int, default=int(env("BENCH_SEED", "20261123")))
    p.add_argument("--indicator-runs", type=int, default=int(env("BENCH_INDICATOR_RUNS", "5")))
    p.add_argument("--indicator-year", type=int, default=int(env("BENCH_INDICATOR_YEAR", str(dt.date.today().year - 1))))
    p.add_argument("--page-runs", type=int, default=int(env("BENCH_PAGE_RUNS", "20")))
    p.add_argument("--matching-runs", type=int, default=int(env("BENCH_MATCHING_RUNS", "50")))
    p.add_argument("--matching-participants", type=int, default=int(env("BENCH_MATCHING_PARTICIPANTS", "200000")),
                   help="participants the matching measure tops the load up to (0: as loaded)")
    p.add_argument("--refdata", default=env("BENCH_REFDATA", "../shared/data/refdata"),
                   help="directory of the official reference files (communes/, rome/)")
    p.add_argument("--out", default=env("BENCH_OUT", "var/bench/results.json"))
    p.add_argument("--admin-email", default="bench-admin@bench.clauses.fr")
    args = p.parse_args()
    if not args.database_url:
        p.error("--database-url (or BENCH_DATABASE_URL / CLAUSES_DATABASE_URL) is required")
    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    return args


def bench_config(args, out_dir):
    """The configuration under test with two changes: 127.0.0.1 is a trusted proxy, so the login flood's
    `X-Forwarded-For` addresses are believed (a distributed flood, the worst case for the throttle); the
    service's scheduler does not run the alert scan and the digests on its own (the `alerts` measure runs
    the scan itself, and a scan catching up on a missed slot would load the other measures)."""
    with open(args.config) as f:
        text = f.read()
    text, count = re.subn(r"(?m)^trusted_proxies = \[\]$", 'trusted_proxies = ["127.0.0.1"]', text)
    if count != 1:
        raise SystemExit(f"run: {args.config} has no `trusted_proxies = []` line to change")
    for job in ("alerts", "digest"):
        text, count = re.subn(rf"(?ms)^(\[jobs\.{job}\]\n(?:[^\[]*?\n)?)enabled = true$", r"\1enabled = false", text)
        if count != 1:
            raise SystemExit(f"run: {args.config} has no `[jobs.{job}]` table with `enabled = true`")
    path = os.path.join(out_dir, "config.toml")
    with open(path, "w") as f:
        f.write(text)
    return path


def config_value(path, section, key):
    """An integer key of the configuration (the documented config.toml writes each on its own line)."""
    current = None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("["):
                current = line.strip("[]")
            elif current == section and line.startswith(key + " ="):
                return int(line.split("=", 1)[1].strip().replace("_", ""))
    raise SystemExit(f"run: {section}.{key} not found in {path}")


def start_service(args, port, log_path, config):
    # The service's environment as systemd/clauses.service sets it (MALLOC_ARENA_MAX=2).
    env = dict(os.environ, CLAUSES_DATABASE_URL=args.database_url, MALLOC_ARENA_MAX="2")
    log_file = open(log_path, "w")
    process = subprocess.Popen([args.clauses_bin, "serve", "--config", config, "--host", "127.0.0.1", "--port", str(port)],
                               stdout=log_file, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"run: `clauses serve` exited with status {process.returncode}; see {log_path}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                connection.close()
                return process
            connection.close()
        except OSError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"run: /readyz not ready after 90 s; see {log_path}")


def sample_lots(args, url):
    """The warm-up lots and the measured lots, drawn at random (seeded): the same for the HTTP measure and its limit."""
    rows = psql(url, f"SELECT id FROM lots ORDER BY md5(id::text || '{args.seed}') LIMIT {args.lot_samples + args.warmup}")
    ids = [r[0] for r in rows]
    return ids[:args.warmup], ids[args.warmup:]


def measure_lots(args, client, url, warm, sample):
    for lot in warm:
        client.timed(f"/api/v1/lots/{lot}/balance")
    times, sizes, placements = [], [], []
    for lot in sample:
        elapsed, body = client.timed(f"/api/v1/lots/{lot}/balance")
        times.append(elapsed)
        sizes.append(len(body))
        try:
            placements.append(json.loads(body).get("placementCount", 0))
        except ValueError:
            pass
    result = summary(times)
    result.update(mean_body_bytes=round(statistics.fmean(sizes)), mean_placements=round(statistics.fmean(placements), 2) if placements else None)
    return result


def big_buyer(url):
    """The id of the buyer holding `BENCH_BUYER_LOTS` lots, and its lot count."""
    siret = psql(url, "SELECT value->>'big_buyer_siret' FROM bench_meta WHERE key = 'load'")[0][0]
    buyer, lots = psql(url, f"""
        SELECT b.id, count(l.id) FROM buyers b JOIN public_contracts pc ON pc.buyer_id = b.id JOIN lots l ON l.public_contract_id = pc.id
        WHERE b.siret = '{siret}' GROUP BY b.id""")[0]
    return buyer, lots


def measure_buyer(args, client, url):
    buyer, lots = big_buyer(url)
    path = f"/api/v1/buyers/{buyer}/balance"
    for _ in range(3):
        client.timed(path)
    times = []
    body = b""
    for _ in range(args.buyer_runs):
        elapsed, body = client.timed(path)
        times.append(elapsed)
    result = summary(times)
    document = json.loads(body)
    result.update(buyer_id=buyer, lots=int(lots), lots_in_answer=len(document.get("lots", [])), body_bytes=len(body))
    return result


def measure_healthz(args, client):
    """The floor of any request on this connection: `GET /healthz` (a constant answer, no database), as many
    times as lots are sampled (at least 100), after a short warm-up."""
    for _ in range(20):
        client.timed("/healthz")
    return summary([client.timed("/healthz")[0] for _ in range(max(100, args.lot_samples))])


def balance_month(url):
    """The month the balances are computed for (`?at=` absent: today in Europe/Paris), its first day."""
    return psql(url, "SELECT date_trunc('month', (now() AT TIME ZONE 'Europe/Paris')::date)::date")[0][0]


def balance_sql(where, month):
    """The statements of `BALANCE_SQL` for one subject, each on one line."""
    return [one_line(sql.format(where=where, month=month)) + ";" for sql in BALANCE_SQL]


def sql_limit(url, month, warm, runs, label):
    """The bare SQL of a balance (`BALANCE_SQL`) through one psql process: for `warm` subjects untimed, then for
    `runs` ones (each a `WHERE` clause) timed; JIT off as in the service's balance transaction; rows read by psql
    and sent to /dev/null. A subject's time is the sum of its statements' (`Time:` lines). Returns the summary
    of the `runs` times in ms, with the medians of each statement."""
    per = len(BALANCE_SQL)
    statements = [sql for w in warm + runs for sql in balance_sql(w, month)]
    script = "SET jit = off;\n\\o /dev/null\n\\timing on\n" + "\n".join(statements) + "\n"
    times = psql_timed(url, script, label)
    if len(times) != len(statements):
        raise RuntimeError(f"psql ({label}) printed {len(times)} timings for {len(statements)} statements")
    times = times[len(warm) * per:]
    result = summary([sum(times[i:i + per]) for i in range(0, len(times), per)])
    result["statement_median_ms"] = [round(statistics.median(times[k::per]), 3) for k in range(per)]
    return result


def explain(url, month, where, path):
    """The plans of the bare SQL with their actual times and buffers (a diagnosis, not a measure)."""
    commands = ["-c", "SET jit = off"]
    for sql in balance_sql(where, month):
        commands += ["-c", "EXPLAIN (ANALYZE, BUFFERS) " + sql]
    text = subprocess.run(["psql", url, "-X", "-q", "-At", *commands], capture_output=True, text=True,
                          env=dict(os.environ, PGCLIENTENCODING="UTF8", LC_ALL="C")).stdout
    with open(path, "a") as f:
        f.write(f"-- {where}\n{text}\n")


def lot_limit(args, url, month, warm, sample, out_dir):
    result = sql_limit(url, month, [f"l.id = '{lot}'" for lot in warm], [f"l.id = '{lot}'" for lot in sample], "lot facts")
    explain(url, month, f"l.id = '{sample[0]}'", os.path.join(out_dir, "limit-plans.txt"))
    return result


def buyer_limit(args, url, month, buyer, out_dir):
    where = f"pc.buyer_id = '{buyer}'"
    result = sql_limit(url, month, [where] * 3, [where] * args.buyer_runs, "buyer facts")
    explain(url, month, where, os.path.join(out_dir, "limit-plans.txt"))
    return result


def copy_text(value):
    """A COPY text-format field: NULL as \\N, backslash, tab, newline and carriage return escaped."""
    if value is None:
        return "\\N"
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_limit(url, csv_path, out_dir):
    """A bare COPY of the import's rows into hour_reports, in a transaction rolled back: the rows the import
    would insert, built from the same CSV lines (placement codes resolved to ids in one query; months, French
    decimals and empty comments mapped as the import stores them: a staff import from the command line is
    `facilitator`, `declared`, labelled `cli: import hours`, with no user id). Only the COPY is timed (psql's
    `\\timing`); hour_reports is vacuumed afterwards so the import finds no dead rows of it."""
    with open(csv_path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter=";", quotechar='"')
        next(reader)
        lines = list(reader)
    codes = sorted({line[0] for line in lines})
    ids = dict(psql_stdin(url, "SELECT code, id FROM placements WHERE code = ANY('{" + ",".join(codes) + "}'::text[])"))
    missing = [code for code in codes if code not in ids]
    if missing:
        raise RuntimeError(f"{len(missing)} placement codes of the file not found, e.g. {missing[0]}")

    def hours(text):
        return text.replace(" ", "").replace(",", ".")
    path = os.path.join(out_dir, "copy-limit.sql")
    with open(path, "w", encoding="utf-8") as f:
        f.write("BEGIN;\n\\timing on\n")
        f.write(f"COPY hour_reports ({', '.join(IMPORT_COLUMNS)}) FROM STDIN;\n")
        for code, mois, worked, training, comment, *_ in lines:
            month = f"{mois[3:]}-{mois[:2]}-01"
            row = [ids[code], month, hours(worked), hours(training or "0"), None, None, "facilitator", "declared",
                   comment.strip() or None, None, "cli: import hours", None, None, None, None]
            f.write("\t".join(copy_text(v) for v in row) + "\n")
        f.write("\\.\n\\timing off\nROLLBACK;\n")
    with open(path, encoding="utf-8") as f:
        times = psql_timed(url, f.read(), "bare COPY")
    if len(times) != 1:
        raise RuntimeError(f"psql (bare COPY) printed {len(times)} timings instead of 1")
    start = time.perf_counter()
    subprocess.run(["psql", url, "-X", "-q", "-c", "VACUUM hour_reports"], check=True)
    log(f"import limit: bare COPY of {len(lines):,} rows in {times[0] / 1000:.2f} s (rolled back; VACUUM {time.perf_counter() - start:.1f} s)")
    seconds = times[0] / 1000
    return {"rows": len(lines), "seconds": round(seconds, 3), "rows_per_s": round(len(lines) / seconds), "sql_bytes": os.path.getsize(path)}


def french(hundredths):
    return f"{hundredths // 100},{hundredths % 100:02d}" if hundredths % 100 else str(hundredths // 100)


def measure_import(args, url, out_dir, limits):
    today = dt.date.today()
    month = today.replace(day=1)
    # Months without a current report, from the month after the placement's last report (or its start)
    # to its end month, never after the current month: new reports, all accepted.
    rows = psql(url, f"""
        WITH p AS (
            SELECT p.code, date_trunc('month', p.start_date)::date AS first_month,
                   least(coalesce(date_trunc('month', p.end_date)::date, '{month}'), '{month}') AS last_month,
                   (SELECT max(h.month) FROM hour_reports h WHERE h.placement_id = p.id AND h.current) AS reported
            FROM placements p
        )
        SELECT code, to_char(m, 'MM/YYYY') FROM p
        CROSS JOIN LATERAL generate_series(greatest(first_month, (reported + interval '1 month')::date), last_month, interval '1 month') AS m
        ORDER BY md5(code || m::text || '{args.seed}') LIMIT {args.import_lines}""")
    if not rows:
        raise SystemExit("run: no month left to import (reload the database)")
    rows.sort(key=lambda r: (r[0], r[1][3:], r[1][:2]))
    rng = random.Random(args.seed)
    path = os.path.join(out_dir, "heures.csv")
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("Placement;Mois;Heures travaillées;Heures de formation;Commentaire\n")
        for i, (code, mois) in enumerate(rows):
            worked = rng.randrange(4000, 16000)
            training = rng.choice([0, 0, 0, 700, 1400])
            comment = '"Relevé mensuel ; transmis par l\'entreprise"' if i % 50 == 0 else ""
            f.write(f"{code};{mois};{french(worked)};{french(training)};{comment}\n")
    size = os.path.getsize(path)
    log(f"import: {len(rows):,} lines ({size / 1e6:.1f} MB) written to {path}")
    if limits is not None:
        # The bare COPY first, on the table the import will find (then vacuumed): with --keep-imported the
        # same rows could not be copied after the import (one current report per placement and month).
        try:
            limits["import_copy"] = copy_limit(url, path, out_dir)
        except (RuntimeError, subprocess.CalledProcessError) as error:
            limits["import_copy"] = {"error": str(error)}
            log(f"import limit: not measured: {error}")

    before = psql(url, "SELECT now(), count(*) FROM hour_reports")[0]
    env = dict(os.environ, CLAUSES_DATABASE_URL=url)
    command = [args.clauses_bin, "import", "hours", path, "--config", args.config]
    output_path = os.path.join(out_dir, "import.out")
    with open(output_path, "wb") as output:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    with open(output_path, "rb") as output:
        text = output.read().decode(errors="replace")
    created = int(psql(url, "SELECT count(*) FROM hour_reports")[0][0]) - int(before[1])
    result = {"lines": len(rows), "file_bytes": size, "seconds": round(elapsed, 3), "lines_per_s": round(len(rows) / elapsed),
              "exit_status": process.returncode, "reports_created": created, "cli_peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
              "output": text.strip()[-2000:]}
    if process.returncode != 0 or created != len(rows):
        log(f"import: status {process.returncode}, {created} reports created for {len(rows)} lines:\n{result['output']}")
    if not args.keep_imported and created:
        # Foreign-key triggers off for the delete: nothing refers to these new reports, and checking
        # hour_reports.correction_of (not indexed) would scan the whole table once per deleted row.
        psql(url, f"""
            BEGIN;
            SET LOCAL session_replication_role = replica;
            DELETE FROM audit_log WHERE at >= '{before[0]}' AND entity IN ('hour_report', 'hour_import');
            DELETE FROM hour_reports WHERE declared_at >= '{before[0]}' AND declared_by_label <> 'bench' AND correction_of IS NULL;
            COMMIT;""")
        subprocess.run(["psql", url, "-X", "-q", "-c", "VACUUM (ANALYZE) hour_reports, audit_log"], check=True)
        log("import: imported reports deleted (the database can be measured again)")
    return result


def probe(client, seconds):
    """Other users' experience: `GET /api/v1/me`, one request after the other, for `seconds`."""
    times = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        times.append(client.timed("/api/v1/me")[0])
    return summary(times)


def under_load(port, token, seconds, load):
    """`probe` while `load(stop)` runs in background threads; the load's own counts come back with it."""
    stop = threading.Event()
    counts = {}
    threads = load(stop, counts)
    time.sleep(1.0)  # let the load reach its steady state
    client = Client(port, token)
    try:
        result = probe(client, seconds)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        client.connection.close()
    result.update(counts)
    return result


def login_flood(port, clients):
    """`clients` threads posting the login form, each attempt from its own address, for unknown accounts."""
    def attack(stop, counts, number):
        rng = random.Random(number)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while not stop.is_set():
            address = f"10.{number}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            connection.request("GET", "/connexion", headers={"X-Forwarded-For": address})
            response = connection.getresponse()
            page = response.read().decode()
            token = re.search(r'name="_login_csrf" value="([^"]+)"', page)
            cookie = next((c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or [] if c.startswith("clauses_login_csrf=")), None)
            if not token or not cookie:
                counts["flood_errors"] = counts.get("flood_errors", 0) + 1
                continue
            body = urllib.parse.urlencode({"_login_csrf": token.group(1), "email": f"inconnu{rng.randrange(10**9)}@bench.fr",
                                           "password": secrets.token_urlsafe(12)})
            connection.request("POST", "/connexion", body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, "X-Forwarded-For": address})
            response = connection.getresponse()
            response.read()
            key = f"flood_status_{response.status}"
            counts[key] = counts.get(key, 0) + 1
        connection.close()

    def start(stop, counts):
        threads = [threading.Thread(target=attack, args=(stop, counts, n), daemon=True) for n in range(clients)]
        for thread in threads:
            thread.start()
        return threads
    return start


def largest_upload(args, url, out_dir, config):
    """The largest hours file the service takes: `imports.max_lines` lines of existing placements, each
    padded with a comment so the file reaches `server.max_import_body_bytes` (less 1 KiB)."""
    max_lines = config_value(config, "imports", "max_lines")
    max_bytes = config_value(config, "server", "max_import_body_bytes") - 1024
    max_line = config_value(config, "imports", "max_line_bytes")
    codes = [r[0] for r in psql(url, f"SELECT code FROM placements ORDER BY md5(code || '{args.seed}') LIMIT {max_lines}")]
    header = "Placement;Mois;Heures travaillées;Heures de formation;Commentaire\n"
    lines = max_lines
    # Every line is the same length: code, month, hours, then a quoted comment filling the byte budget.
    bare = max(len(f"{code};01/2026;151,5;0;\"\"\n") for code in codes)
    padding = max(0, min(max_line - bare, (max_bytes - len(header.encode())) // lines - bare))
    path = os.path.join(out_dir, "largest-upload.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write(header)
        for i in range(lines):
            code = codes[i % len(codes)]
            start = f"{code};{1 + (i // len(codes)) % 12:02d}/2026;151,5;0;"
            f.write(start + '"' + "x" * (padding + bare - len(start) - 3) + '"\n')
    size = os.path.getsize(path)
    log(f"upload: {lines:,} lines, {size / 2**20:.1f} MiB (limits: {max_lines:,} lines, {(max_bytes + 1024) / 2**20:.0f} MiB)")
    return path, lines, size


def uploads(port, token, path):
    """One thread sending the file again and again (dry run: checked whole, nothing written)."""
    with open(path, "rb") as f:
        data = f.read()

    def send(stop, counts):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        while not stop.is_set():
            start = time.perf_counter()
            connection.request("POST", "/api/v1/imports/hours?dryRun=true", body=data,
                               headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"})
            response = connection.getresponse()
            response.read()
            counts.setdefault("upload_seconds", []).append(round(time.perf_counter() - start, 2))
            key = f"upload_status_{response.status}"
            counts[key] = counts.get(key, 0) + 1
        connection.close()

    def start(stop, counts):
        thread = threading.Thread(target=send, args=(stop, counts), daemon=True)
        thread.start()
        return [thread]
    return start


def measure_indicators(args, client, url):
    """Each profile's indicators over the year, `indicator_runs` times after one warm-up call."""
    profiles = [r[0] for r in psql(url, "SELECT DISTINCT profile FROM plie ORDER BY 1")]
    if not profiles:
        raise SystemExit("run: no PLIE in the database (reload it with bench/generate.py)")
    result = {"year": args.indicator_year, "profiles": {}}
    for profile in profiles:
        path = f"/api/v1/indicators?profile={profile}&year={args.indicator_year}"
        client.timed(path)
        times = []
        body = b""
        for _ in range(args.indicator_runs):
            elapsed, body = client.timed(path)
            times.append(elapsed)
        figures = {item["indicator"]: item["numerator"] for item in json.loads(body)["items"]}
        result["profiles"][profile] = dict(summary(times), accompanied=figures.get("accompanied"),
                                           entries=figures.get("entries"), exits=figures.get("exits"))
    worst = max(result["profiles"], key=lambda p: result["profiles"][p]["p95_ms"])
    result.update(worst_profile=worst, p95_ms=result["profiles"][worst]["p95_ms"])
    return result


def indicator_limit(args, url, profile, runs):
    """The bare SQL of one profile's indicators (`INDICATOR_SQL`), one warm-up then `runs` timed runs; a run's
    time is the sum of its statements'."""
    validity = config_value(args.config, "ledger", "eligibility_validity_months")
    statements = [one_line(sql.format(profile=profile, first=f"{args.indicator_year}-01-01", last=f"{args.indicator_year}-12-31",
                                      age=PROFILE_SENIOR_AGE.get(profile, 50), validity=validity)) + ";" for sql in INDICATOR_SQL]
    script = "\\o /dev/null\n\\timing on\n" + "\n".join(statements * (runs + 1)) + "\n"
    times = psql_timed(url, script, "indicator facts")
    per = len(statements)
    if len(times) != per * (runs + 1):
        raise RuntimeError(f"psql (indicator facts) printed {len(times)} timings for {per * (runs + 1)} statements")
    times = times[per:]
    result = summary([sum(times[i:i + per]) for i in range(0, len(times), per)])
    result["statement_median_ms"] = [round(statistics.median(times[k::per]), 3) for k in range(per)]
    result["profile"] = profile
    return result


def measure_pages(args, port, url, cookie):
    """The daily loop's pages as the admin account opens them in a browser (a web session, whole HTML
    answers): the dashboard, the review queue, a searched and sorted list of lots, the lot with the most
    placements and its hour grid for last month, a searched list of participants and the record of the
    person with the most placements (its opening audited); `page_runs` times each after one warm-up. No target: the
    figures are read against the balances' (a page is a balance plus its HTML)."""
    lot = psql(url, "SELECT lot_id FROM placements GROUP BY lot_id ORDER BY count(*) DESC, lot_id LIMIT 1")[0][0]
    month = psql(url, "SELECT to_char((now() AT TIME ZONE 'Europe/Paris')::date - interval '1 month', 'YYYY-MM')")[0][0]
    person = psql(url, "SELECT participant_id FROM placements GROUP BY participant_id ORDER BY count(*) DESC, participant_id LIMIT 1")[0][0]
    pages = {"dashboard": "/", "review_queue": "/releves", "lots_search": "/lots?q=rue&tri=heures&ordre=desc",
             "lot": f"/lots/{lot}", "hour_grid": f"/lots/{lot}/heures?mois={month}",
             "participants_search": "/participants?q=mar&tri=nom", "participant": f"/participants/{person}"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Cookie": f"clauses_session={cookie}", "Accept": "text/html"}
    result = {}
    for name, path in pages.items():
        times = []
        for run in range(args.page_runs + 1):
            start = time.perf_counter_ns()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise SystemExit(f"run: GET {path} answered {response.status}: {body[:300].decode(errors='replace')}")
            if run:
                times.append((time.perf_counter_ns() - start) / 1e6)
        result[name] = dict(summary(times), path=path, body_bytes=len(body))
    connection.close()
    return result


def main():
    args = parse_args()
    out_dir = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    url = args.database_url
    if not os.access(args.clauses_bin, os.X_OK):
        raise SystemExit(f"run: {args.clauses_bin} is not an executable (build it: swift build -c release)")
    meta = json.loads(psql(url, "SELECT value FROM bench_meta WHERE key = 'load'")[0][0])
    user = psql(url, f"SELECT id FROM users WHERE email = '{args.admin_email}' AND active")
    if not user:
        raise SystemExit(f"run: no account {args.admin_email} (bench/generate.py creates it)")
    token = "clk_bench_" + secrets.token_urlsafe(24)
    psql(url, f"""INSERT INTO api_tokens (user_id, name, token_hash, prefix)
                  VALUES ('{user[0][0]}', 'bench', sha256(convert_to('{token}', 'UTF8')), '{token[:10]}')""")
    cookie = "bench_" + secrets.token_urlsafe(24)
    psql(url, f"""INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at)
                  VALUES (sha256(convert_to('{cookie}', 'UTF8')), '{user[0][0]}', 'bench', now() + interval '1 day')""")

    results = {"started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "dataset": meta, "machine": {
        "cpus": os.cpu_count(), "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), ""),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1), "kernel": platform.release(),
        "postgresql": psql(url, "SHOW server_version")[0][0]}}
    try:
        results["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    except OSError:
        pass
    if "matching" not in args.skip:
        # The matching's data, before the service starts (the preparation rewrites and compacts `participants`).
        try:
            prepare_matching(args, url, psql, log)
        except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
            results["matching"] = {"error": str(error)}
            log(f"matching: not prepared: {error}")
    port = free_port()
    config = bench_config(args, out_dir)
    service = start_service(args, port, os.path.join(out_dir, "serve.log"), config)
    log(f"clauses serve (pid {service.pid}) ready on port {port}")
    results["service_rss_at_start_mb"] = round(proc_status(service.pid)["VmRSS"], 1)
    limits = None if "limits" in args.skip else {}
    plans = os.path.join(out_dir, "limit-plans.txt")
    if os.path.exists(plans):
        os.remove(plans)
    try:
        client = Client(port, token)
        warm, sample = sample_lots(args, url) if "lot" not in args.skip else ([], [])
        if "lot" not in args.skip:
            log(f"lot balance: {args.warmup} warm-up + {args.lot_samples} lots")
            results["lot_balance"] = measure_lots(args, client, url, warm, sample)
        if "buyer" not in args.skip:
            log(f"buyer balance: {args.buyer_runs} runs")
            results["buyer_balance"] = measure_buyer(args, client, url)
        if limits is not None and ("lot" not in args.skip or "buyer" not in args.skip):
            # The limits of the balances, the service idle: the floor of a request on the same connection,
            # then the bare SQL of the same subjects through psql.
            limits["healthz"] = measure_healthz(args, client)
            log(f"limit: GET /healthz p95 {limits['healthz']['p95_ms']:.3f} ms ({limits['healthz']['count']} calls)")
            month = balance_month(url)
            for key, run in [("lot_sql", lambda: lot_limit(args, url, month, warm, sample, out_dir) if "lot" not in args.skip else None),
                             ("buyer_sql", lambda: buyer_limit(args, url, month, results["buyer_balance"]["buyer_id"], out_dir)
                              if "buyer" not in args.skip else None)]:
                try:
                    value = run()
                except (RuntimeError, subprocess.CalledProcessError) as error:
                    value = {"error": str(error)}
                    log(f"limit {key}: not measured: {error}")
                if value is not None:
                    limits[key] = value
                    if "p95_ms" in value:
                        log(f"limit: bare SQL ({key}) p95 {value['p95_ms']:.3f} ms ({value['count']} runs)")
        if "bilan" not in args.skip:
            try:
                results["bilan"] = measure_bilan(args, client, url, big_buyer(url)[0], balance_sql, balance_month(url),
                                                 one_line, psql_timed, summary, log)
            except (RuntimeError, subprocess.CalledProcessError) as error:
                results["bilan"] = {"error": str(error)}
                log(f"bilan: not measured: {error}")
        if "matching" not in args.skip and "matching" not in results:
            try:
                results["matching"] = measure_matching(args, client, url, config_value(args.config, "ledger", "eligibility_validity_months"),
                                                       out_dir, psql, psql_timed, summary, log)
            except (RuntimeError, subprocess.CalledProcessError) as error:
                results["matching"] = {"error": str(error)}
                log(f"matching: not measured: {error}")
        if "indicators" not in args.skip:
            log(f"indicators: {args.indicator_runs} runs per profile, year {args.indicator_year}")
            results["indicators"] = measure_indicators(args, client, url)
            if limits is not None:
                try:
                    limits["indicator_sql"] = indicator_limit(
                        args, url, results["indicators"]["worst_profile"], args.indicator_runs)
                except (RuntimeError, subprocess.CalledProcessError) as error:
                    limits["indicator_sql"] = {"error": str(error)}
                    log(f"limit indicator_sql: not measured: {error}")
        if "pages" not in args.skip:
            log(f"pages: {args.page_runs} runs each")
            results["pages"] = measure_pages(args, port, url, cookie)
        if "flood" not in args.skip or "upload" not in args.skip:
            probe(client, 1)
            results["idle"] = probe(client, args.probe_seconds)
            log(f"idle: GET /api/v1/me p95 {results['idle']['p95_ms']:.2f} ms")
        client.connection.close()
        if "flood" not in args.skip:
            log(f"login flood: {args.flood_clients} clients")
            results["login_flood"] = under_load(port, token, args.probe_seconds, login_flood(port, args.flood_clients))
        if "upload" not in args.skip:
            path, lines, size = largest_upload(args, url, out_dir, config)
            results["largest_upload"] = under_load(port, token, args.probe_seconds, uploads(port, token, path))
            results["largest_upload"].update(lines=lines, file_bytes=size)
        if "import" not in args.skip:
            results["import"] = measure_import(args, url, out_dir, limits)
        if "mail" not in args.skip:
            results["mail"] = measure_mail(args, url, out_dir, psql, log)
        if "alerts" not in args.skip:
            results["alerts"] = measure_alerts(args, url, config, psql, psql_timed, log)
        status = proc_status(service.pid)
        results["service_memory"] = {"peak_rss_mb": round(status["VmHWM"], 1), "rss_mb": round(status["VmRSS"], 1)}
    finally:
        service.send_signal(signal.SIGTERM)
        try:
            service.wait(timeout=30)
        except subprocess.TimeoutExpired:
            service.kill()
        psql(url, f"DELETE FROM api_tokens WHERE token_hash = sha256(convert_to('{token}', 'UTF8'))")
        psql(url, f"DELETE FROM sessions WHERE token_hash = sha256(convert_to('{cookie}', 'UTF8'))")
    if limits is not None:
        results["limits"] = limits

    figures = {
        "lot_balance_p95_ms": results.get("lot_balance", {}).get("p95_ms"),
        "buyer_balance_p95_ms": results.get("buyer_balance", {}).get("p95_ms"),
        "import_lines_per_s": results.get("import", {}).get("lines_per_s") if results.get("import", {}).get("exit_status") == 0 else None,
        "login_flood_p95_ratio": round(results["login_flood"]["p95_ms"] / results["idle"]["p95_ms"], 2) if "login_flood" in results else None,
        "max_upload_p95_ratio": round(results["largest_upload"]["p95_ms"] / results["idle"]["p95_ms"], 2) if "largest_upload" in results else None,
        "service_peak_rss_mb": results["service_memory"]["peak_rss_mb"],
        "indicators_p95_ms": results.get("indicators", {}).get("p95_ms"),
        "bilan_p95_ms": results.get("bilan", {}).get("p95_ms"),
        # The need whose shortlist is slowest.
        "matching_p95_ms": results.get("matching", {}).get("p95_ms"),
        # The slower of the two scans, and the larger peak.
        "alerts_scan_seconds": max((r["job_seconds"] for r in results["alerts"]["runs"]), default=None) if "alerts" in results else None,
        "alerts_scan_peak_rss_mb": max((r["peak_rss_mb"] for r in results["alerts"]["runs"]), default=None) if "alerts" in results else None,
    }
    # Each speed figure beside its limit measured in this run (None when either was not measured).
    limits = limits or {}
    healthz, lot_sql, buyer_sql = (limits.get(k, {}).get("p95_ms") for k in ("healthz", "lot_sql", "buyer_sql"))
    copy_rate = limits.get("import_copy", {}).get("rows_per_s")
    indicator_sql = limits.get("indicator_sql", {}).get("p95_ms")
    lot_limit_ms = round(lot_sql + healthz, 3) if lot_sql is not None and healthz is not None else None
    bounds = {
        "lot_balance_limit_sql_p95_ms": lot_sql,
        "lot_balance_limit_healthz_p95_ms": healthz if lot_sql is not None else None,
        "lot_balance_limit_ms": lot_limit_ms,
        "buyer_balance_limit_sql_p95_ms": buyer_sql,
        "buyer_balance_limit_healthz_p95_ms": healthz if buyer_sql is not None else None,
        "buyer_balance_limit_ms": buyer_sql,
        "import_limit_copy_rows_per_s": copy_rate,
        "indicators_limit_sql_p95_ms": indicator_sql,
    }
    figures["lot_balance_ratio"] = round(figures["lot_balance_p95_ms"] / lot_limit_ms, 2) \
        if figures["lot_balance_p95_ms"] is not None and lot_limit_ms else None
    figures["buyer_balance_ratio"] = round(figures["buyer_balance_p95_ms"] / buyer_sql, 2) \
        if figures["buyer_balance_p95_ms"] is not None and buyer_sql else None
    figures["import_ratio"] = round(figures["import_lines_per_s"] / copy_rate, 3) \
        if figures["import_lines_per_s"] is not None and copy_rate else None
    figures["indicators_ratio"] = round(figures["indicators_p95_ms"] / indicator_sql, 2) \
        if figures["indicators_p95_ms"] is not None and indicator_sql else None
    for key in ("lot_balance_ratio", "buyer_balance_ratio", "import_ratio", "indicators_ratio"):
        bounds[key] = figures[key]
    results.update(bounds)
    verdicts = {}
    for metric, (limit, kind, unit) in TARGETS.items():
        value = figures[metric]
        verdicts[metric] = {"value": value, "target": limit, "unit": unit, "kind": kind,
                            "verdict": "n/a" if value is None else ("PASS" if (value <= limit if kind == "max" else value >= limit) else "MISS")}
    results["targets"] = verdicts
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2, ensure_ascii=False)

    def row(label, cells, target="", verdict=""):
        cells = list(cells) + [""] * (4 - len(cells))
        print((f"{label:<38}" + "".join(f"{c:>10}" for c in cells) + (f"   {target:<20}{verdict}" if target or verdict else "")).rstrip())

    def timings(label, m, target="", verdict=""):
        row(label, [f"{m[k]:.2f}" for k in ("median_ms", "p95_ms", "p99_ms", "max_ms")], target, verdict)

    def limit_rows(label, key):
        """A limit's own timings, or why it is missing."""
        m = limits.get(key)
        if m and "error" in m:
            row(label, ["n/a"], "", f"not measured: {m['error'][:120]}")
        elif m:
            timings(label, m)

    def ratio_row(label, metric, target):
        v = verdicts[metric]
        if v["value"] is not None:
            row(label, ["", f"{v['value']:.2f}"], target, v["verdict"])

    d = results["dataset"]
    print()
    print(f"clauses bench — scale {d['scale']}: {d['contracts']:,} marchés, {d['lots']:,} lots, {d['participants']:,} participants, "
          f"{d['placements']:,} placements, {d['reports']:,} hour reports; {results['machine']['cpus']} CPUs, PostgreSQL {results['machine']['postgresql']}")
    row("measure", ["median", "p95", "p99", "max"], "target", "verdict")
    lot, buyer, imp = results.get("lot_balance"), results.get("buyer_balance"), results.get("import")
    if lot:
        timings(f"lot balance (ms, {lot['count']} lots)", lot, "p95 <= 10 ms", verdicts["lot_balance_p95_ms"]["verdict"])
        limit_rows("  limit: bare SQL, same lots (ms)", "lot_sql")
        limit_rows("  limit: GET /healthz, floor (ms)", "healthz")
        if lot_limit_ms is not None:
            ratio_row(f"  p95 / limit ({lot_sql:.2f} + {healthz:.2f} ms)", "lot_balance_ratio", "<= 3 × limit")
    if buyer:
        timings(f"buyer balance (ms, {buyer['lots']} lots)", buyer, "p95 <= 100 ms", verdicts["buyer_balance_p95_ms"]["verdict"])
        limit_rows("  limit: bare SQL, same buyer (ms)", "buyer_sql")
        limit_rows("  floor: GET /healthz (ms)", "healthz")
        if buyer_sql is not None:
            ratio_row(f"  p95 / limit ({buyer_sql:.2f} ms)", "buyer_balance_ratio", "<= 2 × limit")
    if imp:
        row(f"hours import ({imp['lines']} lines, {imp['seconds']:.2f} s)", [f"{imp['lines_per_s']:,}", "lines/s"], ">= 20,000/s",
            verdicts["import_lines_per_s"]["verdict"])
        copy = limits.get("import_copy")
        if copy and "error" in copy:
            row("  limit: bare COPY, same rows", ["n/a"], "", f"not measured: {copy['error'][:120]}")
        elif copy:
            row(f"  limit: bare COPY, same rows ({copy['seconds']:.2f} s)", [f"{copy['rows_per_s']:,}", "rows/s"])
            ratio_row("  lines/s / limit", "import_ratio", ">= 0.5 × limit")
    indicators = results.get("indicators")
    if indicators:
        for profile, m in indicators["profiles"].items():
            verdict = verdicts["indicators_p95_ms"]["verdict"] if profile == indicators["worst_profile"] else ""
            timings(f"indicators {profile[:18]} (ms)", m, "p95 <= 2,000 ms" if verdict else "", verdict)
        limit_rows(f"  limit: bare SQL, {indicators['worst_profile'][:14]} (ms)", "indicator_sql")
        if indicator_sql is not None:
            ratio_row(f"  p95 / limit ({indicator_sql:.2f} ms)", "indicators_ratio", "<= 2 × limit")
    bilan = results.get("bilan")
    if bilan and "error" in bilan:
        row("bilan (buyer, 1,000 lots)", ["n/a"], "", f"not measured: {bilan['error'][:120]}")
    elif bilan:
        timings("bilan, JSON (ms, same buyer)", bilan, "p95 <= 2,000 ms", verdicts["bilan_p95_ms"]["verdict"])
        timings("  limit: bare SQL, same facts (ms)", bilan["limit"])
        row("  p95 / limit", ["", f"{bilan['p95_ms'] / bilan['limit']['p95_ms']:.2f}"])
    matching = results.get("matching")
    if matching and "error" in matching:
        row("shortlist (need)", ["n/a"], "", f"not measured: {matching['error'][:120]}")
    elif matching:
        for key, m in matching["needs"].items():
            worst = key == matching["worst_need"]
            kept = f"{m['kept']:,} kept" if m["kept"] is not None else "judging stopped early"
            timings(f"shortlist {key} (ms, {kept})", m, "p95 <= 100 ms" if worst else "",
                    verdicts["matching_p95_ms"]["verdict"] if worst else "")
            timings(f"  limit: bare SQL, {m['preselected']:,} read (ms)", m["limit"])
            timings("  bare SQL without JIT (ms)", m["limit_jit_off"])
            row("  p95 / limit", ["", f"{m['p95_ms'] / m['limit']['p95_ms']:.2f}"])
    for name, m in results.get("pages", {}).items():
        timings(f"page: {name} (ms)", m)
    idle = results.get("idle")
    for key, label, metric in [("login_flood", "other users, login flood", "login_flood_p95_ratio"),
                               ("largest_upload", "other users, largest upload", "max_upload_p95_ratio")]:
        if idle and key in results:
            timings(label + " (ms)", results[key], f"p95 <= 2 × {idle['p95_ms']:.2f}", f"{verdicts[metric]['verdict']} ({figures[metric]} ×)")
    mail = results.get("mail")
    if mail:
        row(f"mail sender ({mail['messages']} × {mail['message_bytes']:,} B)", [f"{mail['messages_per_s']:,}", "msg/s"])
        row(f"  limit: bare libcurl loop ({mail['limit_seconds']:.2f} s)", [f"{mail['limit_messages_per_s']:,}", "msg/s"])
        row("  msg/s / limit", ["", f"{mail['messages_per_s'] / mail['limit_messages_per_s']:.2f}"])
    alerts = results.get("alerts")
    if alerts:
        for r in alerts["runs"]:
            row(f"alert scan, {r['label']} (s)", [f"{r['job_seconds']:.2f}", f"{r['peak_rss_mb']:.1f} MB"],
                "<= 10 s, <= 200 MB" if r["label"] == "first" else "", verdicts["alerts_scan_seconds"]["verdict"]
                + "/" + verdicts["alerts_scan_peak_rss_mb"]["verdict"] if r["label"] == "first" else "")
        row(f"  limit: bare pre-filter SQL (s)", [f"{alerts['prefilter_seconds']:.2f}"])
        row("  scan / limit", ["", f"{max(r['job_seconds'] for r in alerts['runs']) / alerts['prefilter_seconds']:.2f}"])
    mem = results["service_memory"]
    row("service memory (MB)", [f"peak {mem['peak_rss_mb']:.1f}", f"now {mem['rss_mb']:.1f}"], "peak <= 200 MB",
        verdicts["service_peak_rss_mb"]["verdict"])
    print(f"\nresults: {args.out}")
    if any("error" in m for m in limits.values()):
        raise SystemExit("run: a limit could not be measured (see above)")


if __name__ == "__main__":
    main()
