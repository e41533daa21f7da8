"""A need's shortlist against the whole territory (`make bench`, measure `matching`): `GET /api/v1/needs/{id}/shortlist`
(default length) for a few staffing needs at different work sites, 5 warm-up runs then BENCH_MATCHING_RUNS timed ones
each; beside each need, the limit: the shortlist's own facts statement (a copy of `ShortlistService.facts` with its
`Preselection`, parameters filled in for the need) run bare through psql, rows to /dev/null, as the service runs it
(JIT on) and again with JIT off, with the number of people the pre-selection reads; its plan
(`EXPLAIN (ANALYZE, BUFFERS)`) is saved to `matching-plan.txt`.

The data the matching reads is prepared here, before the service starts (`prepare_matching`), on the database
bench/generate.py loaded, so that an existing load can be reused:
1. the reference data, through the real binary and the real files (`clauses refdata import communes|rome`), when
   absent;
2. participants added up to BENCH_MATCHING_PARTICIPANTS (200,000; none at full scale) when the load holds fewer:
   each with a validated DELD proof, no pathway;
3. every participant's matching facts, drawn again (seeded) and written with one COPY and one UPDATE ... FROM:
   a commune (people with a PLIE pathway in one of their latest PLIE's communes, the others in a few dozen
   territories: the communes within 15 km of a large town, drawn by population; a few anywhere in France), a
   mobility range (mostly 5-50 km, some unstated), driving licence and vehicle, 0-3 ROME skills and 1-3 target
   jobs (biased to construction, F), the contact they agreed to share; a validated professional project on 30 %
   of the open pathways;
4. the needs (recreated at each run, `created_by_label = 'bench'`): one lot per site gets the site as its
   work-site commune, and a need starting in two weeks; the first in an ANRU operation of a buyer with a diversity
   goal, with three proposals (one refused).
Steps 2 and 3 run once per load (`bench_meta` key `matching`)."""
import bisect
import csv
import datetime as dt
import json
import math
import os
import random
import subprocess
import time
import uuid

# Bump when the preparation changes: the next run prepares the participants again.
PREPARATION_VERSION = 1

# The needs measured: (key, work-site commune, ROME codes, driving licence required). The first two are in
# the bench's PLIE territories (pays-d-aix, nord-ouest-91: most of the territory's people live there), the
# third in a town without a bench PLIE.
NEEDS = [
    ("aix", "13001", ["F1703"], False),
    ("les-ulis", "91692", ["F1606", "F1703"], True),
    ("toulouse", "31555", ["F1703"], False),
]

# Large towns whose surroundings (communes within TERRITORY_KM) are where the people outside a PLIE live, a
# territory drawn by its population; FRANCE_SHARE of them live anywhere in France.
TERRITORY_CENTRES = ["31555", "06088", "44109", "34172", "67482", "33063", "59350", "35238", "83137", "51454", "42218",
                     "76351", "21231", "38185", "49007", "69266", "30189", "63113", "72181", "29019", "37261", "80021",
                     "87085", "57463", "66136", "25056", "45234", "76540", "93066", "14118", "68224", "54395", "84007",
                     "13201"]
TERRITORY_KM = 15
FRANCE_SHARE = 0.05

# The trades of the bench's lots (generate.py), most common in people's skills and target jobs.
COMMON_TRADES = ["F1703", "F1606", "F1607", "F1603", "F1602", "F1702", "F1613", "F1701", "F1604", "F1704"]
TRAVEL_KM = ([5, 10, 15, 20, 25, 30, 40, 50], [10, 18, 20, 15, 12, 10, 9, 6])
NO_TRAVEL_SHARE = 0.08  # mobility range not stated

# The statement the service runs first for a shortlist, `ShortlistService.lightFacts` with the conditions of
# `Preselection.conditions` (Sources/ClausesCore/Matching/Shortlist.swift), for an admin caller (no scope
# predicate), copied as the service sends it: keep them in step. It reads, for everyone the pre-selection keeps,
# what the score's bound reads; the service then judges people best bound first, 200 at a time (one small
# statement each, a few ms), until nobody left can enter the list. Parameters are quoted literals typed by their
# context like the service's untyped ones: `{day}` (the day judged), `{lat}`, `{lon}` (the work site's centre),
# `{degree}` (111 × cos(|latitude| + 10°)); `{licence}` and `{vehicle}` are the need's optional conditions. JIT is
# off, as the service sets it.
FACTS_SQL = """
WITH near AS MATERIALIZED (
    SELECT p.id, p.reference, p.birth_date, p.sex, c.latitude, c.longitude, p.skills, p.target_jobs,
           p.priority_area
    FROM participants p LEFT JOIN communes c ON c.insee = p.commune_insee
    WHERE (p.available_from IS NULL OR p.available_from <= '{day}') {licence}{vehicle}AND (c.latitude IS NULL OR p.max_travel_km IS NULL
     OR (abs(c.latitude - '{lat}') <= p.max_travel_km / 111.0::float8 + 0.001
         AND abs(c.longitude - '{lon}') <= p.max_travel_km / '{degree}'::float8 + 0.001)))
SELECT near.*, op.entry_date, op.exit_date, op.profile, op.project_validated_on,
       coalesce((SELECT sum(e.months)::int FROM pathway_extensions e
                 WHERE e.pathway_id = op.id AND e.status = 'accepted'), 0)
FROM near LEFT JOIN (
    SELECT DISTINCT ON (pw.participant_id) pw.id, pw.participant_id, pw.entry_date, pw.exit_date, pl.profile,
           pw.project_validated_on
    FROM pathways pw JOIN near ON near.id = pw.participant_id JOIN plie pl ON pl.id = pw.plie_id
    WHERE pw.entry_date <= '{day}' AND (pw.exit_date IS NULL OR pw.exit_date >= '{day}')
    ORDER BY pw.participant_id, pw.entry_date
) op ON op.participant_id = near.id
"""


# ---------------------------------------------------------------- helpers


def run_script(url, script, label):
    """A psql script read from standard input (COPY data inline), in one session; its output lines."""
    result = subprocess.run(["psql", url, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-f", "-"], input=script,
                            capture_output=True, text=True,
                            env=dict(os.environ, PGCLIENTENCODING="UTF8", PGOPTIONS="-c client_min_messages=warning"))
    if result.returncode != 0:
        raise RuntimeError(f"psql ({label}) exited with status {result.returncode}: {result.stderr.strip()[-1000:]}")
    return result.stdout.splitlines()


def copy_field(value):
    """A value in COPY's text format (the values written here hold no tab, newline or backslash)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list):
        return "{" + ",".join(value) + "}"
    return str(value)


def kilometres(a, b):
    """Great-circle distance between two (latitude, longitude) points (haversine, as MatchRules)."""
    lat1, lon1, lat2, lon2 = (math.radians(v) for v in (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(min(1.0, math.sqrt(h)))


class Weighted:
    """Values drawn in proportion to their weights."""

    def __init__(self, values, weights):
        self.values = list(values)
        self.cumulative = []
        total = 0
        for w in weights:
            total += w
            self.cumulative.append(total)

    def draw(self, rng):
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


def read_communes(path):
    """INSEE code -> ((latitude, longitude), population) of the located communes of the official file (one row per
    commune and postcode in it; the first is kept)."""
    communes = {}
    with open(path, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["insee_com"] in communes or not r["lat"] or not r["lng"]:
                continue
            communes[r["insee_com"]] = ((float(r["lat"]), float(r["lng"])), max(1, int(float(r["population_2021"] or 0))))
    return communes


# ---------------------------------------------------------------- preparation


def import_refdata(args, url, psql, log):
    """The communes and the ROME codes through the release binary, each only when its table is empty."""
    env = dict(os.environ, CLAUSES_DATABASE_URL=url)
    files = {"communes": [os.path.join(args.refdata, "communes", "communes.csv")],
             "rome": [os.path.join(args.refdata, "rome", "unix_referentiel_code_rome_v460_utf8.csv"),
                      os.path.join(args.refdata, "rome", "unix_referentiel_appellation_v460_utf8.csv")]}
    for kind, table in (("communes", "communes"), ("rome", "rome_jobs")):
        if int(psql(url, f"SELECT count(*) FROM {table}")[0][0]):
            continue
        started = time.monotonic()
        result = subprocess.run([args.clauses_bin, "refdata", "import", kind, *files[kind], "--config", args.config],
                                capture_output=True, text=True, env=env)
        if result.returncode != 0:
            raise RuntimeError(f"clauses refdata import {kind} exited {result.returncode}: {(result.stdout + result.stderr)[-800:]}")
        log(f"matching: {result.stdout.strip()} ({time.monotonic() - started:.1f} s)")


def top_up(args, url, psql, log, today):
    """Participants added up to `matching_participants` when the load holds fewer (reduced scales): each with a
    validated DELD proof dated 0-300 days ago (about two thirds within the validity window), no pathway."""
    count = int(psql(url, "SELECT count(*) FROM participants")[0][0])
    missing = args.matching_participants - count
    if missing <= 0:
        return 0
    # Numbered after the ones an earlier run added (a larger BENCH_MATCHING_PARTICIPANTS adds more).
    added = int(psql(url, "SELECT count(*) FROM participants WHERE reference LIKE 'BENCH-M%'")[0][0])
    rng = random.Random(f"matching-top-up-{args.seed}-{added}")
    first = ["Nadia", "Karim", "Julie", "Thierry", "Awa", "Lucas", "Samira", "Mehdi", "Chloé", "Yannick", "Fatou", "Hugo"]
    last = ["Rouvière", "Delorme", "Marchetto", "Ngoma", "Moreau", "Benali", "Girard", "Lopez", "Traoré", "Fabre", "Nguyen"]
    people, proofs = [], []
    for n in range(added, added + missing):
        pid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        birth = today - dt.timedelta(days=rng.randrange(18 * 365 + 5, 63 * 365))
        people.append((pid, f"BENCH-M{n:07d}", rng.choice(last), rng.choice(first), birth, "F" if n % 2 == 0 else "M",
                       rng.choices(["qpv", "tva", "none", None], [25, 8, 60, 7])[0]))
        proof = today - dt.timedelta(days=rng.randrange(0, 301))
        proofs.append((pid, "DELD", "Attestation", proof, "France Travail", f"{min(proof + dt.timedelta(days=2), today)} 10:00:00+01", "bench"))
    lines = ["BEGIN;", "COPY participants (id, reference, last_name, first_name, birth_date, sex, priority_area) FROM STDIN;"]
    lines += ["\t".join(copy_field(v) for v in row) for row in people] + ["\\."]
    lines += ["COPY eligibility_criteria (participant_id, code, proof_kind, proof_date, attested_by, validated_at, validated_by_label) FROM STDIN;"]
    lines += ["\t".join(copy_field(v) for v in row) for row in proofs] + ["\\.", "COMMIT;"]
    run_script(url, "\n".join(lines) + "\n", "matching top-up")
    log(f"matching: {missing:,} participants added (the load held {count:,})")
    return missing


def prepare_people(args, url, psql, log, today):
    """Every participant's matching facts, drawn again from the seed (the same load gives the same facts), written
    through a temporary table in one UPDATE; then a validated project on 30 % of the open pathways."""
    communes = read_communes(os.path.join(args.refdata, "communes", "communes.csv"))
    by_population = Weighted(communes, [population for _, population in communes.values()])
    territories = []
    for centre in TERRITORY_CENTRES:
        if centre not in communes:
            raise RuntimeError(f"territory centre {centre} is not in the communes file")
        here = communes[centre][0]
        near = [code for code, (position, _) in communes.items()
                if abs(position[0] - here[0]) < 0.5 and kilometres(here, position) <= TERRITORY_KM]
        territories.append(Weighted(near, [communes[code][1] for code in near]))
    territory = Weighted(territories, [sum(communes[code][1] for code in t.values) for t in territories])
    plie = {}
    for plie_id, listed in psql(url, "SELECT id, array_to_string(communes, ',') FROM plie"):
        located = [code for code in listed.split(",") if code in communes]
        if located:
            plie[plie_id] = Weighted(located, [communes[code][1] for code in located])
    codes = [r[0] for r in psql(url, "SELECT code FROM rome_jobs ORDER BY code")]
    construction = [code for code in codes if code.startswith("F")]
    common = [code for code in COMMON_TRADES if code in codes]
    if not (codes and construction and common):
        raise RuntimeError("rome_jobs holds no construction (F) codes: load the ROME reference data")
    travel = Weighted(*TRAVEL_KM)

    def trades(rng, k):
        """k distinct ROME codes: a common construction trade, another construction code, or any code."""
        chosen = []
        while len(chosen) < k:
            x = rng.random()
            code = rng.choice(common if x < 0.45 else construction if x < 0.70 else codes)
            if code not in chosen:
                chosen.append(code)
        return chosen

    people = psql(url, """
        SELECT p.id, coalesce((SELECT pw.plie_id::text FROM pathways pw WHERE pw.participant_id = p.id
                               ORDER BY pw.entry_date DESC, pw.id DESC LIMIT 1), '')
        FROM participants p ORDER BY p.reference""")
    rng = random.Random(f"matching-{args.seed}")
    rows = []
    for pid, plie_id in people:
        if plie_id in plie:
            commune = plie[plie_id].draw(rng)  # people in a PLIE live in its communes
        elif rng.random() < FRANCE_SHARE:
            commune = by_population.draw(rng)
        else:
            commune = territory.draw(rng).draw(rng)
        km = None if rng.random() < NO_TRAVEL_SHARE else travel.draw(rng)
        licence = rng.choices([True, False, None], [60, 32, 8])[0]
        vehicle = (rng.random() < 0.65) if licence else (None if licence is None else False)
        skills = trades(rng, rng.choices([0, 1, 2, 3], [10, 40, 35, 15])[0])
        targets = trades(rng, rng.choices([1, 2, 3], [50, 35, 15])[0])
        sharing = rng.choices(["none", "phone", "email", "phone_email"], [40, 25, 10, 25])[0]
        consent = None if sharing == "none" else today - dt.timedelta(days=rng.randrange(0, 700))
        rows.append((pid, commune, km, licence, vehicle, skills, targets, sharing, consent))
    script = "\n".join([
        "BEGIN;",
        "CREATE TEMP TABLE bench_matching (id uuid PRIMARY KEY, commune_insee text, max_travel_km integer, driving_licence boolean,"
        " vehicle boolean, skills text[], target_jobs text[], contact_sharing text, contact_consent_on date) ON COMMIT DROP;",
        "COPY bench_matching FROM STDIN;",
        *("\t".join(copy_field(v) for v in row) for row in rows),
        "\\.",
        """UPDATE participants p SET commune_insee = m.commune_insee, max_travel_km = m.max_travel_km,
               driving_licence = m.driving_licence, vehicle = m.vehicle, skills = m.skills, target_jobs = m.target_jobs,
               contact_sharing = m.contact_sharing, contact_consent_on = m.contact_consent_on
           FROM bench_matching m WHERE m.id = p.id;""",
        # A validated professional project on 30 % of the open pathways (hashes of their ids: the same each time),
        # dated between the entry and today; none on the others. Only rows whose value changes are written.
        f"""WITH wanted AS (
               SELECT id, CASE WHEN status <> 'exited' AND entry_date < DATE '{today}'
                                    AND (hashtextextended(id::text, {args.seed}) & 2147483647) % 100 < 30
                               THEN entry_date + ((hashtextextended(id::text, {args.seed} + 1) & 2147483647)
                                                  % (DATE '{today}' - entry_date))::integer END AS project
               FROM pathways)
           UPDATE pathways pw SET project_validated_on = w.project FROM wanted w
           WHERE w.id = pw.id AND pw.project_validated_on IS DISTINCT FROM w.project;""",
        "COMMIT;",
        # Every row was rewritten: compact the table as a fresh load leaves it, then its statistics and visibility map.
        "VACUUM FULL participants;",
        "VACUUM (ANALYZE) participants, pathways;",
    ]) + "\n"
    run_script(url, script, "matching participants")
    return len(rows)


def prepare_needs(args, url, psql, log, today):
    """The measured needs, recreated: one lot per site (seeded, never the big buyer's) gets the site as its
    work-site commune; the first lot is in an ANRU operation and its buyer gets a diversity goal; three people of
    the first site are proposed for its need (one refused)."""
    big = psql(url, "SELECT value->>'big_buyer_siret' FROM bench_meta WHERE key = 'load'")[0][0]
    start = today + dt.timedelta(days=14)
    end = start + dt.timedelta(days=182)
    statements = ["BEGIN;",
                  "DELETE FROM need_proposals WHERE need_id IN (SELECT id FROM staffing_needs WHERE created_by_label = 'bench');",
                  "DELETE FROM staffing_needs WHERE created_by_label = 'bench';"]
    chosen = ["00000000-0000-0000-0000-000000000000"]
    for k, (key, insee, romes, licence) in enumerate(NEEDS):
        anru = "AND o.regime = 'anru'" if k == 0 else ""
        taken = "', '".join(chosen)
        lot = psql(url, f"""
            SELECT l.id, b.id FROM lots l JOIN public_contracts pc ON pc.id = l.public_contract_id JOIN buyers b ON b.id = pc.buyer_id
            LEFT JOIN operations o ON o.id = pc.operation_id
            WHERE b.siret <> '{big}' AND l.execution_end >= '{end}' {anru} AND l.id NOT IN ('{taken}')
            ORDER BY md5(l.id::text || '{args.seed}-{key}') LIMIT 1""")
        if not lot:
            raise RuntimeError(f"no lot for the need {key}")
        lot_id, buyer_id = lot[0]
        chosen.append(lot_id)
        codes = "{" + ",".join(romes) + "}"
        statements.append(f"UPDATE lots SET worksite_insee = '{insee}' WHERE id = '{lot_id}';")
        if k == 0:
            statements.append(f"""UPDATE buyers SET diversity_goals = '{{women}}',
                                  diversity_basis = 'Délibération du conseil (bench) : mixité des métiers du bâtiment'
                                  WHERE id = '{buyer_id}';""")
        statements.append(f"""
            INSERT INTO staffing_needs (lot_id, rome_codes, headcount, weekly_hours, planned_start, planned_end, contract_type,
                                        driving_licence_required, notes, created_by_label)
            VALUES ('{lot_id}', '{codes}', 2, 35, '{start}', '{end}', 'cdd', {str(licence).lower()},
                    'bench: {key}', 'bench');""")
    first = NEEDS[0]
    statements.append(f"""
        INSERT INTO need_proposals (need_id, participant_id, status, score, parts, reason, proposed_by_label, decided_by_label, decided_at)
        SELECT n.id, p.id, CASE WHEN p.rank = 1 THEN 'refused' ELSE 'proposed' END, 50, '[]',
               CASE WHEN p.rank = 1 THEN 'Profil retenu par ailleurs (bench)' END, 'bench',
               CASE WHEN p.rank = 1 THEN 'bench' END, CASE WHEN p.rank = 1 THEN now() END
        FROM staffing_needs n,
             LATERAL (SELECT id, row_number() OVER (ORDER BY reference) AS rank
                      FROM (SELECT id, reference FROM participants WHERE commune_insee = '{first[1]}' ORDER BY reference LIMIT 3) three) p
        WHERE n.notes = 'bench: {first[0]}';""")
    statements += ["COMMIT;", "ANALYZE staffing_needs, need_proposals;"]
    run_script(url, "\n".join(statements) + "\n", "matching needs")


def prepare_matching(args, url, psql, log):
    """Everything the measure reads (see the module's description); run before the service starts."""
    if not psql(url, "SELECT to_regclass('staffing_needs')")[0][0]:
        raise RuntimeError("the bench database lacks migration 0010_matching (run `clauses migrate` on it)")
    started = time.monotonic()
    today = dt.date.fromisoformat(psql(url, "SELECT (now() AT TIME ZONE 'Europe/Paris')::date")[0][0])
    import_refdata(args, url, psql, log)
    load = json.loads(psql(url, "SELECT value FROM bench_meta WHERE key = 'load'")[0][0])
    wanted = {"version": PREPARATION_VERSION, "seed": args.seed, "participants": args.matching_participants,
              "loaded_at": load.get("loaded_at")}
    done = psql(url, "SELECT value FROM bench_meta WHERE key = 'matching'")
    if done and all(json.loads(done[0][0]).get(k) == v for k, v in wanted.items()):
        log("matching: participants already prepared for this load")
    else:
        added = top_up(args, url, psql, log, today)
        people = prepare_people(args, url, psql, log, today)
        meta = dict(wanted, added=added, prepared=people, prepared_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        psql(url, "INSERT INTO bench_meta VALUES ('matching', '" + json.dumps(meta).replace("'", "''") + "') "
                  "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value")
        log(f"matching: {people:,} participants prepared")
    prepare_needs(args, url, psql, log, today)
    log(f"matching: prepared in {time.monotonic() - started:.1f} s")


# ---------------------------------------------------------------- the measure


def facts_sql(url, psql, need_id, validity):
    """FACTS_SQL for one need, on one line, with the values the service would bind (the need's context as
    `ShortlistService.context` reads it; judged on the planned start, or today once it has passed)."""
    romes, start, licence, vehicle, latitude, longitude = psql(url, f"""
        SELECT n.rome_codes, n.planned_start, n.driving_licence_required, n.vehicle_required, c.latitude::float8, c.longitude::float8
        FROM staffing_needs n JOIN lots l ON l.id = n.lot_id JOIN communes c ON c.insee = l.worksite_insee
        WHERE n.id = '{need_id}'""")[0]
    day, window = psql(url, f"""
        SELECT greatest(DATE '{start}', (now() AT TIME ZONE 'Europe/Paris')::date),
               (greatest(DATE '{start}', (now() AT TIME ZONE 'Europe/Paris')::date) - interval '{validity + 1} months')::date""")[0]
    lat = float(latitude)
    sql = FACTS_SQL.format(need=need_id, day=day, window=window, lat=repr(lat), lon=repr(float(longitude)),
                           degree=repr(111.0 * math.cos((abs(lat) + 10) * math.pi / 180)),
                           licence="AND p.driving_licence " if licence == "t" else "",
                           vehicle="AND p.vehicle " if vehicle == "t" else "")
    return " ".join(sql.split()), romes, day


def measure_matching(args, client, url, validity, out_dir, psql, psql_timed, summary, log):
    """Each need's shortlist through the API, then its bare facts statement; the figure is the worst need's p95."""
    needs = psql(url, "SELECT n.id, substr(n.notes, 8), l.worksite_insee, c.name FROM staffing_needs n JOIN lots l ON l.id = n.lot_id "
                      "JOIN communes c ON c.insee = l.worksite_insee WHERE n.created_by_label = 'bench' ORDER BY n.notes")
    if not needs:
        raise RuntimeError("no bench need (the preparation did not run)")
    plan_path = os.path.join(out_dir, "matching-plan.txt")
    with open(plan_path, "w") as f:
        f.write("-- EXPLAIN (ANALYZE, BUFFERS) of the shortlist's facts statement (bench/matching.py FACTS_SQL), one per need\n")
    participants = int(psql(url, "SELECT count(*) FROM participants")[0][0])
    result = {"participants": participants, "runs": args.matching_runs, "needs": {}}
    for need_id, key, insee, commune in needs:
        path = f"/api/v1/needs/{need_id}/shortlist"
        log(f"matching: 5 warm-up + {args.matching_runs} runs of {path} ({key}, {commune})")
        for _ in range(5):
            client.timed(path)
        times, body = [], b""
        for _ in range(args.matching_runs):
            elapsed, body = client.timed(path)
            times.append(elapsed)
        answer = json.loads(body)
        m = summary(times)
        m.update(need_id=need_id, worksite=f"{insee} {commune}", kept=answer.get("kept"),
                 candidates=len(answer.get("candidates", [])), body_bytes=len(body))
        # The limit: the same statement bare, 5 warm-up then as many runs, rows read by psql and dropped.
        sql, romes, day = facts_sql(url, psql, need_id, validity)
        m.update(rome_codes=romes, judged_on=day)
        script = "\\o /dev/null\n\\timing on\n" + "\n".join([sql + ";"] * (5 + args.matching_runs)) + "\n"
        timings = psql_timed(url, script, f"shortlist facts {key}")
        if len(timings) != 5 + args.matching_runs:
            raise RuntimeError(f"psql (shortlist facts {key}) printed {len(timings)} timings for {5 + args.matching_runs} statements")
        m["limit"] = summary(timings[5:])
        # The same with JIT off: the statement's own time apart from its JIT compilation, which the service pays too
        # (the service turns JIT off for its shortlist statements; the plan's `JIT:` lines give the compilation's time).
        timings = psql_timed(url, "SET jit = off;\n" + script, f"shortlist facts {key}, no JIT")
        if len(timings) != 5 + args.matching_runs:
            raise RuntimeError(f"psql (shortlist facts {key}, no JIT) printed {len(timings)} timings for {5 + args.matching_runs} statements")
        m["limit_jit_off"] = summary(timings[5:])
        m["preselected"] = int(psql(url, f"SELECT count(*) FROM ({sql}) preselected")[0][0])
        plan = subprocess.run(["psql", url, "-X", "-q", "-At", "-c", "EXPLAIN (ANALYZE, BUFFERS) " + sql], capture_output=True,
                              text=True, env=dict(os.environ, PGCLIENTENCODING="UTF8", LC_ALL="C"))
        with open(plan_path, "a") as f:
            f.write(f"\n-- need {key} ({insee} {commune}, {romes}, judged on {day}): {m['preselected']:,} people pre-selected, "
                    f"{m['kept']} kept\n{plan.stdout}{plan.stderr}")
        result["needs"][key] = m
        log(f"matching {key}: p95 {m['p95_ms']:.1f} ms; bare SQL p95 {m['limit']['p95_ms']:.1f} ms "
            f"({m['limit_jit_off']['p95_ms']:.1f} ms without JIT); "
            f"{m['preselected']:,} pre-selected of {participants:,}, "
            + (f"{m['kept']:,} kept" if m["kept"] is not None else "judging stopped once nobody left could enter the list"))
    worst = max(result["needs"], key=lambda k: result["needs"][k]["p95_ms"])
    result.update(worst_need=worst, p95_ms=result["needs"][worst]["p95_ms"],
                  limit_p95_ms=result["needs"][worst]["limit"]["p95_ms"])
    return result
