"""The bilan of the buyer holding 1,000 lots (`make bench`, measure `bilan`): `GET /api/v1/reports/buyer/{id}`
in JSON since the start (the whole ledger of the buyer), 3 warm-up runs then BENCH_BUYER_RUNS timed ones; beside
it, the limit: the bare SQL that gathers the same facts, written here independently of the service (the balance
facts of `BALANCE_SQL` for the buyer, then the people with their outcome facts, the contracts, the hours beyond
the clause), run through psql with its rows sent to /dev/null."""
import datetime
import statistics

# `{where}` picks the buyer's lots (on `l` and `pc`); `{today}` is the bilan's date.
BILAN_FACTS_SQL = ["""
WITH pl AS (SELECT p.* FROM placements p JOIN lots l ON l.id = p.lot_id JOIN public_contracts pc ON pc.id = l.public_contract_id
            WHERE {where} AND p.counting AND p.start_date <= '{today}')
SELECT pa.id, pa.sex, pa.birth_date, min(pl.start_date), max(pl.end_date), bool_or(pl.end_date IS NULL),
       array_agg(DISTINCT pl.lot_id), bool_or(pl.priority_area = 'qpv'),
       (SELECT array_agg(DISTINCT c) FROM pl q, unnest(q.eligibility_criteria) c WHERE q.participant_id = pa.id),
       EXISTS (SELECT 1 FROM pathways w WHERE w.participant_id = pa.id AND w.entry_date <= '{today}'),
       EXISTS (SELECT 1 FROM employment_episodes e WHERE e.participant_id = pa.id AND e.start_date <= max(pl.end_date) + 1
               AND (e.end_date IS NULL OR e.end_date >= max(pl.end_date) + 1))
         OR EXISTS (SELECT 1 FROM placements q WHERE q.participant_id = pa.id AND q.start_date <= max(pl.end_date) + 1
               AND (q.end_date IS NULL OR q.end_date >= max(pl.end_date) + 1)),
       EXISTS (SELECT 1 FROM employment_episodes e WHERE e.participant_id = pa.id AND e.start_date <= max(pl.end_date) + 182
               AND (e.end_date IS NULL OR e.end_date >= max(pl.end_date) + 182))
         OR EXISTS (SELECT 1 FROM placements q WHERE q.participant_id = pa.id AND q.start_date <= max(pl.end_date) + 182
               AND (q.end_date IS NULL OR q.end_date >= max(pl.end_date) + 182)),
       (SELECT w.exit_kind FROM pathways w WHERE w.participant_id = pa.id AND w.exit_date BETWEEN min(pl.start_date) AND max(pl.end_date) + 1
        ORDER BY w.exit_date DESC LIMIT 1),
       (SELECT w.exit_kind FROM pathways w WHERE w.participant_id = pa.id AND w.exit_date BETWEEN min(pl.start_date) AND max(pl.end_date) + 182
        ORDER BY w.exit_date DESC LIMIT 1)
FROM pl JOIN participants pa ON pa.id = pl.participant_id GROUP BY pa.id
""", """
SELECT p.contract_type, p.start_date, p.end_date FROM placements p JOIN lots l ON l.id = p.lot_id
JOIN public_contracts pc ON pc.id = l.public_contract_id WHERE {where} AND p.counting AND p.start_date <= '{today}'
""", """
WITH mine AS (SELECT p.lot_id, p.participant_id FROM placements p JOIN lots l ON l.id = p.lot_id
              JOIN public_contracts pc ON pc.id = l.public_contract_id WHERE {where} AND p.counting AND p.start_date <= '{today}')
SELECT (SELECT sum(h.worked_hours) FROM hour_reports h JOIN placements p ON p.id = h.placement_id
        WHERE p.participant_id IN (SELECT participant_id FROM mine) AND p.lot_id NOT IN (SELECT lot_id FROM mine)
        AND h.current AND h.status = 'validated' AND h.month <= '{today}'),
       (SELECT sum(m.hours) FROM employment_episode_months m JOIN employment_episodes e ON e.id = m.episode_id
        WHERE e.participant_id IN (SELECT participant_id FROM mine) AND m.month <= '{today}')
"""]


def measure_bilan(args, client, url, buyer, balance_sql, month, one_line, psql_timed, summary, log):
    """The bilan through the API, then its limit; returns the measure with `limit` (the bare SQL's timings)."""
    path = f"/api/v1/reports/buyer/{buyer}?period=depuis-le-debut"
    log(f"bilan: 3 warm-up + {args.buyer_runs} runs of {path}")
    body = b""
    for _ in range(3):
        client.timed(path)
    times = []
    for _ in range(args.buyer_runs):
        elapsed, body = client.timed(path)
        times.append(elapsed)
    result = summary(times)
    result.update(buyer_id=buyer, body_bytes=len(body))
    today = datetime.date.today().isoformat()
    where = f"pc.buyer_id = '{buyer}'"
    statements = balance_sql(where, month) + [one_line(sql.format(where=where, today=today)) + ";" for sql in BILAN_FACTS_SQL]
    per = len(statements)
    runs = args.buyer_runs
    script = "SET jit = off;\n\\o /dev/null\n\\timing on\n" + "\n".join(statements * (runs + 1)) + "\n"
    timings = psql_timed(url, script, "bilan facts")
    if len(timings) != per * (runs + 1):
        raise RuntimeError(f"psql (bilan facts) printed {len(timings)} timings for {per * (runs + 1)} statements")
    timings = timings[per:]
    limit = summary([sum(timings[i:i + per]) for i in range(0, len(timings), per)])
    limit["statement_median_ms"] = [round(statistics.median(timings[k::per]), 3) for k in range(per)]
    result["limit"] = limit
    log(f"bilan: p95 {result['p95_ms']:.1f} ms; bare SQL p95 {limit['p95_ms']:.1f} ms")
    return result
