"""The alert scan over the whole territory (`make bench`, measure `alerts`): `clauses job run alerts` (the
scheduler's own code path: job lock, scan, record in job_runs) twice, from an empty `alerts` table (every
alert opened) and again after `VACUUM ANALYZE alerts` (every alert updated or left as it is), with the
process's peak RSS; beside it, the
limit: the scan's pre-filter, written here independently of the service (the lots a lot rule can match, from
a lower bound of their credited hours), run bare through psql."""
import os
import subprocess
import time

# Tolerance 10 %, lot_ending_soon 30 days, lot_without_placement 30 days: config.toml's defaults.
PREFILTER_SQL = """
SET jit = off;
\\timing on
\\o /dev/null
WITH per_placement AS (
    SELECT h.placement_id, sum(h.worked_hours) AS worked, sum(coalesce(h.attested_insertion_hours, h.worked_hours)) AS attested
    FROM hour_reports h WHERE h.current AND h.status = 'validated' AND h.month <= date_trunc('month', DATE :'today')::date
    GROUP BY h.placement_id
), lower AS (
    SELECT p.lot_id,
           sum(CASE WHEN p.execution_mode IN ('siaeSubcontracting', 'siaeServicePurchase') THEN pp.attested ELSE pp.worked END) AS hours
    FROM placements p JOIN per_placement pp ON pp.placement_id = p.id JOIN insertion_clauses ic ON ic.lot_id = p.lot_id
    WHERE p.counting AND p.on_clause_operation
      AND coalesce((ic.counting_overrides->'rules'->p.execution_mode->>'countWorkedHours')::boolean, p.execution_mode <> 'training')
    GROUP BY p.lot_id
)
SELECT l.id, ic.penalty_per_missing_hour
FROM lots l JOIN insertion_clauses ic ON ic.lot_id = l.id LEFT JOIN lower ON lower.lot_id = l.id
WHERE ic.required_hours > 0 AND (
    (l.execution_start <= DATE :'today' AND l.execution_end >= DATE :'today'
     AND coalesce(lower.hours, 0) < round(ic.required_hours * round(least(greatest(DATE :'today' - l.execution_start + 1, 0),
         l.execution_end - l.execution_start + 1)::numeric / (l.execution_end - l.execution_start + 1), 4), 2) * 0.90 + 0.01)
    OR (l.execution_end <= DATE :'today' + 30 AND coalesce(lower.hours, 0) < ic.required_hours)
    OR (l.execution_start <= DATE :'today' - 30 AND coalesce(l.execution_end >= DATE :'today', true)
        AND NOT EXISTS (SELECT 1 FROM placements p WHERE p.lot_id = l.id)));
"""


def run_scan(args, url, config):
    """`clauses job run alerts`: wall seconds, the process's peak RSS (MB) and the run's counts."""
    env = dict(os.environ, CLAUSES_DATABASE_URL=url)
    started = time.monotonic()
    process = subprocess.Popen([args.clauses_bin, "job", "run", "alerts", "--config", config], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    out, err = process.stdout.read(), process.stderr.read()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"alerts: job run alerts exited {process.returncode}: {(out + err)[-800:]}")
    return wall, usage.ru_maxrss / 1024


def measure_alerts(args, url, config, psql, psql_timed, log):
    # TRUNCATE, not DELETE: the first scan meets an empty table, not 220,000 dead rows.
    psql(url, "TRUNCATE alerts")
    runs = []
    for label in ("first", "steady"):
        if label == "steady":
            # What autovacuum does after the first scan's inserts, before the next morning's scan.
            psql(url, "VACUUM ANALYZE alerts")
        log(f"alerts: scan ({label})")
        wall, rss = run_scan(args, url, config)
        row = psql(url, """SELECT extract(epoch FROM finished_at - started_at), counts::text FROM job_runs
                           WHERE job = 'alerts' AND slot IS NULL ORDER BY id DESC LIMIT 1""")[0]
        runs.append({"label": label, "job_seconds": round(float(row[0]), 3), "wall_seconds": round(wall, 3),
                     "peak_rss_mb": round(rss, 1), "counts": row[1]})
        log(f"alerts: {label} scan {float(row[0]):.2f} s, peak RSS {rss:.1f} MB, {row[1]}")
    today = psql(url, "SELECT (now() AT TIME ZONE 'Europe/Paris')::date")[0][0]
    times = psql_timed(url, f"\\set today '{today}'\n" + PREFILTER_SQL + PREFILTER_SQL, "alerts prefilter")
    # The first run warms the cache; the second is the limit.
    prefilter = times[-1] / 1000
    by_rule = psql(url, "SELECT rule, severity, count(*) FROM alerts WHERE state <> 'closed' GROUP BY 1, 2 ORDER BY 1, 2")
    return {"runs": runs, "prefilter_seconds": round(prefilter, 3),
            "open_by_rule": {f"{r[0]}/{r[1]}": int(r[2]) for r in by_rule}}
