#!/usr/bin/env python3
"""Synthetic territory for `make bench`: buyers, operations, marchés, lots with their insertion clauses,
companies, participants with validated eligibility proofs, placements and monthly hour reports, PLIE with
their pathways and work outside clauses, streamed into PostgreSQL with COPY through `psql` (Python 3
standard library only).

Defaults are the issue's figures: 20,000 public contracts, 100,000 lots, 200,000 participants,
400,000 placements and 10,000,000 monthly hour reports; `--scale` (or BENCH_SCALE) multiplies them all,
explicit flags (or BENCH_CONTRACTS, BENCH_LOTS, ...) override one figure. The same seed and the same
reference month give the same data (ids included).

Shape of the data (every CHECK, FK and unique constraint of sql/ holds):
- one buyer ("Donneur d'ordre bench 000", SIRET in bench_meta) holds exactly `--buyer-lots` lots (1,000) for
  the buyer-balance measure; the other lots are spread over the other buyers;
- every lot carries a clause whose required hours are what `calibrate` computes from its inputs (five modes);
- every participant has one validated proof dated 0-170 days before each of its placements' starts, so
  every placement is counting with its criteria frozen (those valid at its start, PLIE when a pathway is open
  then) and its participant's priority area;
- three PLIE, one per built-in profile of config.toml, with 40 référents and a facilitator each (`users`);
  `--plie-share` (85 %) of the participants have a pathway, a quarter of them an earlier, exited one too;
  entries run from 2023 to the end of the month before the reference month, pathways last 1.5-30 months
  (accepted extensions beyond the planned 18 months), the exits up to then are recorded (about half into a
  job or a qualifying training), the others are open; half of the people in a PLIE hold an RSA proof dated
  near each entry; points d'étape every 6 months in nord-ouest-91, now and then elsewhere; about 30 % of the
  participants have 1-3 jobs outside clauses (employment_episodes, some with monthly hours), the exits into a
  job among them. These come from a second generator seeded from the seed: the rest stays the same;
- participants get placeholder communes, skills and target jobs here; the matching's data (the official
  communes and ROME codes, each participant's commune, mobility and trades, staffing needs) is prepared by
  bench/matching.py before the measures, on this load or a reused one;
- placement i reports n_i consecutive months, all current, validated except sometimes the last one
  (declared, awaiting validation); the n_i sum to exactly `--reports`; months run up to the month before
  the reference month; every placement ends 1-6 months after its last reported month (or is open-ended),
  so each has months not yet reported, up to the reference month, for the import measure (bench/run.py).

The whole load is one transaction: TRUNCATE, then COPY ... WITH (FREEZE) into each table (rows are
written frozen and all-visible, so no VACUUM pass rewrites 10M rows afterwards and index-only scans
work at once). hour_reports' indexes and foreign keys are dropped before its COPY and rebuilt after
from their own definitions (pg_get_indexdef / pg_get_constraintdef): one sort per index instead of 10M
random B-tree insertions, and one join per foreign key instead of 10M trigger lookups. ANALYZE at the end.
"""
import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
import uuid
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

DEFAULTS = {"contracts": 20_000, "lots": 100_000, "participants": 200_000, "placements": 400_000, "reports": 10_000_000}
# Drawn with one randrange(10) per proof as before (DELD twice: it takes the former PLIE slot, the open pathway
# being that criterion now, never a proof), so the lots, placements and hour reports stay what they were.
CRITERIA = ["DELD", "DETLD", "RSA", "ASS", "AAH", "RQTH", "YOUTH", "SENIOR", "DELD", "REASONED_OPINION"]
VALIDITY_MONTHS = 6  # config.toml ledger.eligibility_validity_months (proofs are dated well within it)
YOUTH_AGE, SENIOR_AGE, RQTH_MONTHS = 26, 50, 60  # Eligibility.swift (CriterionValidity); an RQTH decision for 5 years
# PLIE (config.toml's built-in profiles): (profile, name, INSEE communes, planned pathway months (0: none), a point
# d'étape every N months (0: none), extension quota share (None: no quota), weight among the people in a PLIE).
PLIE_PROFILES = [
    ("istres-ouest-provence-2020", "PLIE Istres Ouest Provence (bench)", ["13047", "13063", "13039", "13078", "13044"],
     18, 0, "0.15", 35),
    ("pays-d-aix", "PLIE du Pays d'Aix (bench)", ["13001", "13041", "13117", "13110", "84089"], 18, 0, None, 40),
    ("nord-ouest-91", "Atout PLIE Nord-Ouest 91 (bench)", ["91692", "91471", "91477", "91377", "91312"], 0, 6, None, 25),
]
REFERENTS = 40
PATHWAYS_FROM = dt.date(2023, 1, 1)  # entries from then to the end of the month before the reference month
REENTRY_SHARE = 0.25                 # people in a PLIE with an earlier, exited pathway
EPISODE_SHARE = 0.18                 # people with work recorded outside clauses (besides the exits into a job)
# About half positive (employment or qualifying training).
EXIT_KINDS = [("employment_cdi", 10), ("employment_cdd", 12), ("employment_work_study", 4), ("employment_subsidised", 6),
              ("employment_temp_work", 8), ("employment_business_creation", 2), ("qualifying_training", 8),
              ("dropped_out", 16), ("moved_away", 8), ("health", 6), ("maternity", 3), ("deceased", 1), ("retired", 2),
              ("max_length", 7), ("referred", 5), ("other", 2)]
# The exit of a pathway followed by another one: never the planned length's end, a death or a retirement.
EARLIER_EXIT_KINDS = [(kind, weight) for kind, weight in EXIT_KINDS if kind not in ("max_length", "deceased", "retired")]
EXIT_CONTRACTS = {"employment_cdi": ["cdi"], "employment_cdd": ["cdd", "cddChantier"],
                  "employment_work_study": ["apprenticeship", "professionalisation"], "employment_subsidised": ["subsidised"],
                  "employment_temp_work": ["temporaryWork", "ettiAssignment"]}
# Work outside clauses: (contract, weight, shortest and longest length in days).
EPISODE_CONTRACTS = [("cdd", 24, 30, 365), ("temporaryWork", 20, 3, 90), ("cdi", 12, 60, 700), ("ettiAssignment", 8, 20, 180),
                     ("cddi", 8, 120, 730), ("subsidised", 8, 180, 730), ("cddChantier", 6, 60, 540),
                     ("apprenticeship", 4, 365, 1095), ("professionalisation", 4, 180, 730), ("training", 6, 30, 300)]
EPISODE_LENGTHS = {contract: (shortest, longest) for contract, _, shortest, longest in EPISODE_CONTRACTS}
ONE_DAY = dt.timedelta(days=1)
BIG_BUYER_SIRET_BASE = "2" + "0" * 12  # buyer 0


def log(message):
    print(f"[generate {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- small helpers


def luhn_complete(base13):
    """A 14-digit SIRET whose Luhn check digit is right."""
    for check in "0123456789":
        digits = base13 + check
        total = 0
        for i, ch in enumerate(reversed(digits)):
            d = int(ch)
            if i % 2 == 1:
                d *= 2
                if d > 9:
                    d -= 9
            total += d
        if total % 10 == 0:
            return digits
    raise AssertionError


def month_index(d):
    return d.year * 12 + d.month - 1


def first_day(index):
    return dt.date(index // 12, index % 12 + 1, 1)


def last_day(index):
    return first_day(index + 1) - dt.timedelta(days=1)


def add_months(d, months):
    """Calendar months, clamped to the month's end (LocalDate.adding(months:))."""
    index = month_index(d) + months
    return min(dt.date(index // 12, index % 12 + 1, 1) + dt.timedelta(days=d.day - 1), last_day(index))


def plain(d):
    """A Decimal without exponent or trailing zeros (FrenchNumber.format)."""
    text = format(d.normalize(), "f")
    return text


def calibration(mode, rng, amount):
    """(inputs JSON, required hours, unrounded hours) as `calibrate` computes them (half-up rounding)."""
    six = Decimal("0.000001")
    if mode == "standard":
        share, rate, cost = rng.choice(["0.35", "0.5", "0.6"]), rng.choice(["0.05", "0.07", "0.1"]), rng.choice(["28", "30", "32"])
        exact = Decimal(amount) * Decimal(share) * Decimal(rate) / Decimal(cost)
        inputs = {"mode": mode, "amount": amount, "labourShare": share, "rate": rate, "hourlyCost": cost}
    elif mode == "fixed":
        hours = str(rng.randrange(4, 120) * 50)
        exact = Decimal(hours)
        inputs = {"mode": mode, "hours": hours}
    elif mode == "shareOfWorkedHours":
        rate, worked = rng.choice(["0.05", "0.1"]), str(rng.randrange(20, 400) * 100)
        exact = Decimal(rate) * Decimal(worked)
        inputs = {"mode": mode, "rate": rate, "workedHours": worked}
    elif mode == "perInvoicedAmount":
        per = rng.choice(["1000", "2000", "2500"])
        exact = Decimal(amount) / Decimal(per)
        inputs = {"mode": mode, "per": per, "invoiced": amount}
        required = exact.quantize(Decimal(1), rounding=ROUND_DOWN)
        return json.dumps(inputs, separators=(",", ":")), plain(required), plain(exact.quantize(six, rounding=ROUND_HALF_UP))
    else:  # cleaningPACT: I = (A - S*C*N) * T / C, the amount is at least 300,000 so P > 0 and I >= 150 h
        months, rate, transferred = 36, "0.05", rng.choice(["100", "150", "200"])
        exact = (Decimal(amount) - Decimal(transferred) * 25 * months) * Decimal(rate) / 25
        inputs = {"mode": mode, "turnover": amount, "months": months, "rate": rate, "transferredMonthlyHours": transferred, "coefficient": "25"}
    required = exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return json.dumps(inputs, separators=(",", ":")), plain(required), plain(exact.quantize(six, rounding=ROUND_HALF_UP))


def pick_date(rng, start, end):
    """A date drawn uniformly in [start, end]."""
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def plan_pathways(rng, horizon, since, plie_share):
    """A person's PLIE pathways, oldest first: [PLIE index, entry, exit (None: open), exit kind, extensions] with
    extensions as (months, requested on, status, decided on); [] for someone in no PLIE. Nothing after `horizon`."""
    if rng.random() >= plie_share:
        return []
    k = rng.choices(range(len(PLIE_PROFILES)), [profile[-1] for profile in PLIE_PROFILES])[0]
    pathways = []
    earliest = since
    if rng.random() < REENTRY_SHARE:
        # An earlier pathway, shorter than the planned length, in the same PLIE mostly; the next entry 1 month or more later.
        entry = pick_date(rng, since, horizon - dt.timedelta(days=480))
        exit_ = min(entry + dt.timedelta(days=round(rng.triangular(60, 520, 240))), horizon - dt.timedelta(days=60))
        kind = rng.choices(*zip(*EARLIER_EXIT_KINDS))[0]
        pathways.append([k if rng.random() < 0.85 else rng.randrange(len(PLIE_PROFILES)), entry, exit_, kind, []])
        earliest = exit_ + dt.timedelta(days=30)
    entry = pick_date(rng, earliest, horizon)
    months = PLIE_PROFILES[k][3]
    kind = rng.choices(*zip(*EXIT_KINDS))[0]
    if kind == "max_length" and not months:
        kind = "referred"
    if kind == "max_length":
        target = add_months(entry, months + rng.choice((0, 0, 0, 6, 6, 12))) - ONE_DAY
    else:
        target = entry + dt.timedelta(days=round(rng.triangular(45, 900, 390)))
    # Beyond the planned length: accepted extensions, requested 2-6 weeks before the planned end, decided 1-4 weeks
    # later; one decided after the horizon is still awaiting the committee (and the pathway is open).
    extensions, total = [], months
    while months and add_months(entry, total) - ONE_DAY < min(target, horizon):
        extra = rng.choice((6, 6, 12))
        requested = add_months(entry, total) - dt.timedelta(days=rng.randrange(15, 46))
        decided = requested + dt.timedelta(days=rng.randrange(7, 29))
        if decided > horizon:
            extensions.append((extra, requested, "requested", None))
            break
        extensions.append((extra, requested, "accepted", decided))
        total += extra
    planned_end = add_months(entry, total) - ONE_DAY
    if kind == "max_length":
        target = planned_end
    pending = bool(extensions) and extensions[-1][2] == "requested"
    exit_ = target if target <= horizon and not pending else None
    if exit_:
        extensions = [(extra, requested, status, min(decided, exit_)) for extra, requested, status, decided in extensions]
    if months and exit_ is None and not pending and (planned_end - horizon).days <= 60 and rng.random() < 0.5:
        extensions.append((rng.choice((6, 12)), max(entry, horizon - dt.timedelta(days=rng.randrange(0, 30))), "requested", None))
    if kind == "max_length" and exit_ is not None and rng.random() < 0.35:
        requested = planned_end - dt.timedelta(days=rng.randrange(15, 46))
        extensions.append((6, requested, "refused", min(exit_, requested + dt.timedelta(days=rng.randrange(7, 29)))))
    pathways.append([k, entry, exit_, kind if exit_ else None, extensions])
    return pathways


def criteria_at(proofs, birth, pathways, start):
    """The criteria valid at `start` (Eligibility.swift): proofs within the window, an RQTH decision up to its end,
    YOUTH by the birth date, SENIOR also at 50 or more, PLIE from an open pathway."""
    codes = set()
    for code, date in proofs:
        if date > start:
            continue
        if code == "YOUTH":
            valid = start < add_months(birth, 12 * YOUTH_AGE)
        elif code == "RQTH":
            valid = start <= add_months(date, RQTH_MONTHS)
        else:
            valid = add_months(start, -VALIDITY_MONTHS) <= date and (code != "SENIOR" or start >= add_months(birth, 12 * SENIOR_AGE))
        if valid:
            codes.add(code)
    if any(entry <= start and (exit_ is None or start <= exit_) for _, entry, exit_, _, _ in pathways):
        codes.add("PLIE")
    return sorted(codes)


def copy_text(value):
    """A value for COPY's text format (the generator's own strings never hold tabs or backslashes)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def pg_array(values):
    return "{" + ",".join(values) + "}"


# ---------------------------------------------------------------- psql


def psql_query(url, sql):
    result = subprocess.run(["psql", url, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                            check=True, capture_output=True, text=True)
    return [line.split("\t") for line in result.stdout.splitlines() if line]


class Loader:
    """One `psql -f -` process: SQL commands and COPY data streamed through its stdin; `\\echo` markers
    come back on its stdout and are logged with the elapsed time."""

    def __init__(self, url):
        env = dict(os.environ, PGCLIENTENCODING="UTF8", PGOPTIONS="-c client_min_messages=warning")
        self.process = subprocess.Popen(["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, bufsize=1 << 20)
        self.started = time.monotonic()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stdout:
            log(f"  {line.decode().rstrip()} (t+{time.monotonic() - self.started:.1f} s)")

    def sql(self, text):
        if not text.startswith("\\") and not text.rstrip().endswith(";"):
            text += ";"
        self.process.stdin.write(text.encode() + b"\n")

    def echo(self, text):
        self.sql(f"\\echo {text}")

    def copy(self, table, columns, rows, chunk=20_000):
        """COPY rows (an iterable of already formatted lines ending with a newline, or of tuples)."""
        self.sql(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FREEZE)")
        write = self.process.stdin.write
        buffer, count = [], 0
        for row in rows:
            if isinstance(row, tuple):
                row = "\t".join(copy_text(v) for v in row) + "\n"
            buffer.append(row)
            if len(buffer) >= chunk:
                write("".join(buffer).encode())
                count += len(buffer)
                buffer.clear()
        if buffer:
            write("".join(buffer).encode())
            count += len(buffer)
        write(b"\\.\n")
        self.echo(f"{table}: {count} rows copied")
        return count

    def close(self):
        self.process.stdin.close()
        code = self.process.wait()
        self.reader.join()
        if code != 0:
            raise SystemExit(f"generate: psql failed with status {code}")


# ---------------------------------------------------------------- the territory


def env(name, default=None):
    """An environment variable; empty counts as unset (make passes empty variables)."""
    return os.environ.get(name) or default


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--database-url", default=env("BENCH_DATABASE_URL") or env("CLAUSES_DATABASE_URL"),
                   help="libpq URL of the (migrated, empty) bench database (BENCH_DATABASE_URL, else CLAUSES_DATABASE_URL)")
    p.add_argument("--scale", type=float, default=float(env("BENCH_SCALE", "1")), help="multiplies every default figure (BENCH_SCALE)")
    for name, default in DEFAULTS.items():
        p.add_argument(f"--{name}", type=int, default=int(env(f"BENCH_{name.upper()}", "0")) or None,
                       help=f"explicit count (BENCH_{name.upper()}; default {default:,} x scale)")
    p.add_argument("--buyers", type=int, default=int(env("BENCH_BUYERS", "0")) or None, help="default 200 x scale, at least 2")
    p.add_argument("--buyer-lots", type=int, default=int(env("BENCH_BUYER_LOTS", "1000")),
                   help="lots of the big buyer (buyer-balance measure; capped at half the lots)")
    p.add_argument("--companies", type=int, default=int(env("BENCH_COMPANIES", "0")) or None, help="default lots / 10, at least 50")
    p.add_argument("--plie-share", type=float, default=float(env("BENCH_PLIE_SHARE", "0.85")),
                   help="share of the participants in a PLIE pathway (BENCH_PLIE_SHARE)")
    p.add_argument("--seed", type=int, default=int(env("BENCH_SEED", "20261123")))
    p.add_argument("--today", default=env("BENCH_TODAY"), help="reference date YYYY-MM-DD (default: today); reports stop the month before")
    p.add_argument("--keep-indexes", action="store_true", help="COPY hour_reports with its indexes and foreign keys in place (slower)")
    p.add_argument("--check", action="store_true",
                   help="load nothing: exit 0 when the database already holds a load with these parameters, 1 otherwise")
    p.add_argument("--force", action="store_true", help="load even when the database already holds buyers (everything is truncated)")
    p.add_argument("--clauses-bin", default=env("CLAUSES_BIN", ".build/release/clauses"),
                   help="used for `clauses user add` (the admin account); without it the account is inserted directly")
    p.add_argument("--config", default=env("CONFIG"), help="config.toml passed to the clauses binary")
    p.add_argument("--admin-email", default="bench-admin@bench.clauses.fr")
    args = p.parse_args()
    if not args.database_url:
        p.error("--database-url (or BENCH_DATABASE_URL / CLAUSES_DATABASE_URL) is required")
    for name, default in DEFAULTS.items():
        if getattr(args, name) is None:
            setattr(args, name, max(1, round(default * args.scale)))
    args.buyers = args.buyers or max(2, round(200 * args.scale))
    args.companies = args.companies or max(50, args.lots // 10)
    args.buyer_lots = min(args.buyer_lots, args.lots // 2)
    if not 0 <= args.plie_share <= 1:
        p.error("--plie-share is a share, between 0 and 1")
    if args.buyers < 2 or args.buyer_lots < 1 or args.contracts < 2:
        p.error("need at least 2 buyers, 2 contracts and 2 lots")
    args.today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
    return args


def main():
    args = parse_args()
    if not shutil.which("psql"):
        raise SystemExit("generate: psql not found in PATH")
    url = args.database_url
    if args.check:
        try:
            loaded = json.loads(psql_query(url, "SELECT value FROM bench_meta WHERE key = 'load'")[0][0])
        except (subprocess.CalledProcessError, IndexError):
            raise SystemExit(1)
        wanted = {k: getattr(args, k) for k in ["buyers", "contracts", "lots", "companies", "participants", "placements", "reports",
                                                 "buyer_lots", "plie_share", "seed"]}
        same = all(loaded.get(k) == v for k, v in wanted.items())
        log(f"database {'already holds' if same else 'does not hold'} this load (loaded: {loaded.get('loaded_at')}, scale {loaded.get('scale')})")
        raise SystemExit(0 if same else 1)
    if not psql_query(url, "SELECT 1 FROM pg_tables WHERE tablename = 'hour_reports'"):
        raise SystemExit("generate: the database is not migrated (run `clauses migrate` first)")
    existing = int(psql_query(url, "SELECT count(*) FROM buyers")[0][0])
    if existing and not args.force:
        raise SystemExit(f"generate: the database already holds {existing} buyers; --force truncates everything and reloads")

    rng = random.Random(args.seed)
    current = month_index(args.today)          # the reference month: hours may be imported up to it
    per_placement = args.reports // args.placements
    window = max(48, 2 * per_placement + 6)    # months with reports: [first_month, current - 1]
    first_month = current - window
    figures = {k: getattr(args, k) for k in ["buyers", "contracts", "lots", "companies", "participants", "placements", "reports"]}
    log(f"seed {args.seed}, reference month {first_day(current):%Y-%m}, reports from {first_day(first_month):%Y-%m}: "
        + ", ".join(f"{k} {v:,}" for k, v in figures.items()) + f", big buyer {args.buyer_lots:,} lots")

    def new_id():
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    # hour_reports: indexes and foreign keys off during its COPY, rebuilt after from their own definitions
    # (read here, before the load's transaction locks the table).
    rebuild = []
    if not args.keep_indexes:
        foreign = psql_query(url, """
            SELECT conrelid::regclass, conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE contype = 'f' AND (conrelid = 'hour_reports'::regclass OR confrelid = 'hour_reports'::regclass)""")
        keys = psql_query(url, """
            SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE contype IN ('p', 'u', 'x') AND conrelid = 'hour_reports'::regclass""")
        indexes = psql_query(url, """
            SELECT i.indexrelid::regclass, pg_get_indexdef(i.indexrelid) FROM pg_index i
            WHERE i.indrelid = 'hour_reports'::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)""")
        rebuild = ([f"{definition}" for _, definition in indexes]
                   + [f'ALTER TABLE hour_reports ADD CONSTRAINT "{name}" {definition}' for name, definition in keys]
                   + [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for table, name, definition in foreign])

    t0 = time.monotonic()
    loader = Loader(url)
    loader.sql("SET maintenance_work_mem = '512MB'")
    loader.sql("SET synchronous_commit = off")
    loader.sql("BEGIN")
    # Truncated in this transaction so every COPY may use FREEZE. CASCADE: sessions, tokens and the audit log
    # refer to users; the bench database holds nothing else.
    loader.sql("TRUNCATE buyers, operations, public_contracts, lots, insertion_clauses, companies, lot_companies, users, participants, "
               "eligibility_criteria, placements, hour_reports, outcome_decisions, plie, pathways, pathway_reviews, "
               "pathway_extensions, employment_episodes, employment_episode_months CASCADE")

    # Buyers and their operations.
    buyers = [new_id() for _ in range(args.buyers)]
    loader.copy("buyers", ["id", "siret", "name"], (
        (bid, luhn_complete("2" + f"{b:012d}"), f"Donneur d'ordre bench {b:03d}") for b, bid in enumerate(buyers)))
    operations = []  # per buyer: two operations
    op_rows = []
    for b, bid in enumerate(buyers):
        ops = []
        for k in range(2):
            oid = new_id()
            ops.append(oid)
            op_rows.append((oid, bid, f"Opération {k + 1} du donneur d'ordre {b:03d}", ["free", "anru", "gup"][(b + k) % 3],
                            f"{13001 + (b * 7 + k) % 900:05d}"))
        operations.append(ops)
    loader.copy("operations", ["id", "buyer_id", "name", "regime", "commune_insee"], op_rows)
    del op_rows

    # Marchés: the big buyer's share first, holding exactly buyer_lots lots.
    average = args.lots / args.contracts
    big_contracts = max(1, min(args.contracts - 1, round(args.buyer_lots / average)))
    lots_per_contract = [args.buyer_lots // big_contracts + (1 if c < args.buyer_lots % big_contracts else 0) for c in range(big_contracts)]
    rest_contracts, rest_lots = args.contracts - big_contracts, args.lots - args.buyer_lots
    lots_per_contract += [rest_lots // rest_contracts + (1 if c < rest_lots % rest_contracts else 0) for c in range(rest_contracts)]
    contract_ids, contract_buyer = [], []
    pc_rows = []
    for c in range(args.contracts):
        b = 0 if c < big_contracts else 1 + (c - big_contracts) % (args.buyers - 1)
        cid = new_id()
        contract_ids.append(cid)
        contract_buyer.append(b)
        year = 2020 + c % 7
        notified = dt.date(year, 1 + c % 12, 1 + c % 27)
        pc_rows.append((cid, buyers[b], operations[b][c % 2] if c % 5 < 2 else None, f"BENCH-{b:03d}-{year}-{c:06d}",
                        ["Réhabilitation de logements", "Entretien des espaces verts", "Nettoyage des locaux",
                         "Rénovation énergétique", "Voirie et réseaux"][c % 5] + f" n° {c}",
                        ["Appel d'offres ouvert", "Procédure adaptée"][c % 2], notified, 12 + 12 * (c % 4),
                        '{"Clause sociale"}'))
    loader.copy("public_contracts", ["id", "buyer_id", "operation_id", "reference", "object", "procedure", "notification_date",
                                     "duration_months", "social_considerations"], pc_rows)
    del pc_rows

    # Lots and their clauses.
    labels = ["Gros œuvre", "Peinture et revêtements", "Espaces verts", "Nettoyage des bâtiments", "Menuiseries",
              "Plomberie et chauffage", "Électricité", "Voirie", "Accueil et services", "Isolation"]
    romes = ["F1703", "F1606", "A1203", "K2204", "F1607", "F1603", "F1602", "F1702", "M1601", "F1613"]
    modes = ["standard"] * 10 + ["fixed"] * 3 + ["shareOfWorkedHours"] * 2 + ["perInvoicedAmount"] * 2 + ["cleaningPACT"] * 3
    lot_ids = []
    lot_rows, clause_rows = [], []
    for c, count in enumerate(lots_per_contract):
        for number in range(1, count + 1):
            lid = new_id()
            lot_ids.append(lid)
            kind = rng.randrange(10)
            mode = modes[rng.randrange(len(modes))]
            amount = str(rng.randrange(3, 80) * 25_000 if mode != "cleaningPACT" else rng.randrange(12, 80) * 25_000)
            start = first_day(first_month - rng.randrange(0, 13))
            end = last_day(current + rng.randrange(6, 37))
            lot_rows.append((lid, contract_ids[c], number, f"Lot {number} : {labels[kind]}", amount, start, end,
                             pg_array([romes[kind]]), f"{13001 + (c * 3 + number) % 900:05d}"))
            inputs, required, unrounded = calibration(mode, rng, amount)
            clause_rows.append((lid, mode, inputs, "half-up", required, unrounded, "25.00" if kind < 3 else None))
    loader.copy("lots", ["id", "public_contract_id", "number", "label", "amount_excl_vat", "execution_start", "execution_end",
                         "rome_codes", "worksite_insee"], lot_rows)
    del lot_rows
    loader.copy("insertion_clauses", ["lot_id", "calibration_mode", "calibration_inputs", "rounding", "required_hours",
                                      "unrounded_hours", "penalty_per_missing_hour"], clause_rows)
    del clause_rows

    # Companies: mostly ordinary ones (the contractors), and every kind of SIAE, ETT, GEIQ.
    kinds_cycle = ["ETTI", "ACI", "EI", "AI", "GEIQ", "ETT", "EA"] + ["ordinary"] * 13
    company_ids, by_kind = [], {}
    co_rows = []
    for k in range(args.companies):
        cid = new_id()
        kind = kinds_cycle[k % len(kinds_cycle)]
        company_ids.append(cid)
        by_kind.setdefault(kind, []).append(k)
        co_rows.append((cid, luhn_complete("8" + f"{k:012d}"), f"Entreprise bench {k:06d}", kind))
    loader.copy("companies", ["id", "siret", "name", "kind"], co_rows)
    del co_rows
    contractor = []
    lc_rows = []
    for lid in lot_ids:
        k = rng.choice(by_kind["ordinary"])
        contractor.append(k)
        lc_rows.append((lid, company_ids[k], "contractor"))
        if rng.random() < 0.3:
            lc_rows.append((lid, company_ids[rng.choice(by_kind["ACI"] + by_kind["EI"])], "subcontractor"))
    loader.copy("lot_companies", ["lot_id", "company_id", "role"], lc_rows)
    del lc_rows

    # Participants, their proofs and their placements, planned together (eligibility at each start).
    # (mode, contract, weight, company kind (None: the lot's contractor), training hours a month, SIAE figures)
    placement_kinds = [
        ("directHire", "cdi", 15, None, 0, None), ("directHire", "cdd", 10, None, 0, None),
        ("directHire", "cddChantier", 15, None, 0, None), ("workStudy", "apprenticeship", 5, None, 14, None),
        ("workStudy", "professionalisation", 5, None, 14, None), ("temporaryWork", "temporaryWork", 10, "ETT", 0, None),
        ("insertionTempWork", "ettiAssignment", 15, "ETTI", 0, None), ("associationSecondment", "cddi", 5, "AI", 0, None),
        ("geiq", "professionalisation", 5, "GEIQ", 21, None), ("siaeSubcontracting", "cddi", 8, "ACI", 0, "attested"),
        ("siaeServicePurchase", "cddi", 4, "EI", 0, "amount"), ("training", "training", 3, None, 0, None)]
    kind_weights = [k[2] for k in placement_kinds]
    first_names = ["Nadia", "Karim", "Julie", "Thierry", "Awa", "Lucas", "Samira", "Mehdi", "Chloé", "Yannick", "Fatou", "Hugo"]
    last_names = ["Rouvière", "Delorme", "Marchetto", "Ngoma", "Diarrassou", "Moreau", "Benali", "Girard", "Lopez", "Traoré",
                  "Fabre", "Nguyen", "Caron", "Mercier", "Haddad", "Perrin"]
    base, extra = divmod(args.reports, args.placements)
    spread = min(base - 1, base // 2) if base >= 2 else 0

    def months_of(i):
        """Reported months of placement i; the deviations cancel pairwise so the total is exact."""
        n = base + (1 if i < extra else 0)
        if spread:
            pair = i // 2
            d = ((pair * 2654435761 + args.seed) & 0xFFFFFFFF) % (2 * spread + 1) - spread
            if i % 2 == 0:
                n += d if i + 1 < args.placements else 0
            else:
                n -= d
        return n

    # PLIE, their référents and facilitators, pathways, reviews, extensions and work outside clauses: drawn from
    # their own generator, so the lots, placements and hour reports are the same as without them. Nothing happens
    # after the horizon, the end of the month before the reference month (the same month gives the same data).
    prng = random.Random(f"pathways-{args.seed}")

    def new_pid():
        return str(uuid.UUID(int=prng.getrandbits(128), version=4))

    horizon = first_day(current) - ONE_DAY
    since = min(PATHWAYS_FROM, add_months(horizon, -36))
    plie_ids = [new_pid() for _ in PLIE_PROFILES]
    loader.copy("plie", ["id", "name", "profile", "communes", "created_at"], (
        (plie_ids[k], name, profile, pg_array(communes), f"{since - dt.timedelta(days=90)} 09:00:00+01")
        for k, (profile, name, communes, *_) in enumerate(PLIE_PROFILES)))
    facilitators = [(new_pid(), f"Animateur bench {k + 1}") for k in range(len(PLIE_PROFILES))]
    referents = [[] for _ in PLIE_PROFILES]  # per PLIE: (id, label)
    for r in range(REFERENTS):
        referents[r % len(PLIE_PROFILES)].append((new_pid(), f"Référent bench {r + 1:02d}"))
    loader.copy("users", ["id", "email", "display_name", "role", "password_hash"], [
        (uid, f"facilitateur-{k + 1}@bench.clauses.fr", label, "facilitator", "!no-password")
        for k, (uid, label) in enumerate(facilitators)] + [
        (uid, f"referent-{label[-2:]}@bench.clauses.fr", label, "referent", "!no-password")
        for team in referents for uid, label in team])
    ages = [(18, 25, 20), (26, 49, 57), (50, 53, 9), (54, 63, 14)]  # (from, to, weight): age at the first entry
    areas = (["qpv", "tva", "none", None], [25, 8, 60, 7])
    statuses = (["job_seeker", "inactive", None], [80, 15, 5])
    prescribers = (["france_travail", "departement", "mission_locale", "ccas", "cap_emploi", "caf", "other", None],
                   [45, 20, 10, 8, 5, 4, 5, 3])
    qualifications = (["infra_3", "3", "4", "5", "6", "7", "8", None], [33, 30, 20, 8, 4, 1.5, 0.5, 3])
    review_notes = ["Point d'étape : recherche d'emploi active", "Point d'étape : formation en cours",
                    "Point d'étape : mise à l'emploi en cours", "Point d'étape : freins périphériques (mobilité, garde)", None]
    extension_reasons = ["Contrat en cours : consolider la sortie en emploi", "Formation qualifiante en cours",
                         "Freins de santé en voie de résolution", "Mise à l'emploi sur une clause à venir"]
    employers = ["Intérim", "Bâtiment", "Transports", "Propreté", "Restauration", "Logistique", "Aide à domicile", "Espaces verts"]
    sources = ["Déclaration de la personne", "Attestation employeur", "France Travail", "Relevé de missions"]
    episode_contracts = ([c for c, *_ in EPISODE_CONTRACTS], [w for _, w, *_ in EPISODE_CONTRACTS])

    pa_rows = []
    criteria_rows = []
    placements = []  # (id, index, first month, last reported month, training, SIAE figures, weekly, last declared)
    pl_rows = []
    pw_rows, review_rows, extension_rows, episode_rows, episode_month_rows = [], [], [], [], []
    per_person, person_extra = divmod(args.placements, args.participants)
    i = 0
    total_reports = 0
    for p in range(args.participants):
        pid = new_id()
        count = per_person + (1 if p < person_extra else 0)
        plans = []
        for _ in range(count):
            n = months_of(i)
            total_reports += n
            if n > 0:
                last = current - 1 if rng.random() < 0.4 else rng.randrange(first_month + n - 1, current)
                first = last - n + 1
            else:
                first = rng.randrange(first_month, current + 1)
                last = first - 1
            start = first_day(first) + dt.timedelta(days=rng.randrange(0, 21) if first < current else 0)
            plans.append((i, n, first, last, start))
            i += 1
        pathways = plan_pathways(prng, horizon, since, args.plie_share)
        low, high, _ = ages[prng.choices(range(len(ages)), [w for *_, w in ages])[0]]
        born = (pathways[0][1] if pathways else horizon) - dt.timedelta(days=prng.randrange(365))
        birth = add_months(born, -12 * prng.randint(low, high))
        sex = "F" if p % 2 == 0 else "M"
        for pathway in pathways:
            if (pathway[3] == "retired" and pathway[2] < add_months(birth, 12 * 60)
                    or pathway[3] == "maternity" and (sex == "M" or pathway[2] >= add_months(birth, 12 * 45))):
                pathway[3] = "other"  # an exit the person's age or sex rules out

        def proof_code(code, date):
            """The drawn criterion, unless the birth date rules it out at that date (then DELD / DETLD)."""
            if code == "YOUTH" and date >= add_months(birth, 12 * YOUTH_AGE):
                return "DELD"
            if code == "SENIOR" and date < add_months(birth, 12 * SENIOR_AGE):
                return "DETLD"
            return code

        proofs = set()
        for (_, _, _, _, start) in plans:
            proofs.add((proof_code(CRITERIA[rng.randrange(len(CRITERIA))], start), start - dt.timedelta(days=rng.randrange(0, 171))))
        if not plans:
            date = horizon - dt.timedelta(days=rng.randrange(0, 171))
            proofs.add((proof_code(CRITERIA[rng.randrange(len(CRITERIA))], date), date))
        entry = min(d for _, d in proofs) - dt.timedelta(days=rng.randrange(0, 61))
        if pathways and prng.random() < 0.5:
            # RSA, attested near each pathway's entry.
            for _, pw_entry, _, _, _ in pathways:
                proofs.add(("RSA", pw_entry - dt.timedelta(days=prng.randrange(0, 46))))
        area = prng.choices(*areas)[0]
        commune = prng.choice(PLIE_PROFILES[pathways[-1][0]][2]) if pathways else f"{13001 + p % 900:05d}"
        pa_rows.append((pid, f"BENCH-{p:07d}", last_names[rng.randrange(len(last_names))], first_names[(p + rng.randrange(6) * 2) % 12],
                        birth, sex, commune, area, prng.choices(*statuses)[0], prng.choices(*prescribers)[0],
                        prng.choices(*qualifications)[0], "{F1703}", "{F1703,F1606}", p % 2 == 0, p % 4 == 0, 5 + p % 40, entry))
        for code, date in sorted(proofs):
            criteria_rows.append((pid, code, "Attestation", date, "France Travail", f"{date + dt.timedelta(days=2)} 10:00:00+01",
                                  "bench", add_months(date, RQTH_MONTHS) if code == "RQTH" else None))
        for (index, n, first, last, start) in plans:
            mode, contract, _, company_kind, training, siae = placement_kinds[rng.choices(range(len(placement_kinds)), kind_weights)[0]]
            lot = rng.randrange(args.lots)
            company = contractor[lot] if company_kind is None else rng.choice(by_kind[company_kind])
            weekly = "35" if count == 1 and rng.random() < 0.8 else rng.choice(["17.5", "20", "24", "26", "28", "30"])
            end_month = last + rng.randint(1, 6)
            end = None if contract == "cdi" and rng.random() < 0.5 else last_day(end_month)
            criteria = criteria_at(proofs, birth, pathways, start)
            code = f"MEP-{start.year}-{index + 1:05d}"
            plid = new_id()
            pl_rows.append((plid, code, pid, lot_ids[lot], company_ids[company], mode, contract, start, end, weekly,
                            weekly in ("17.5", "20"), rng.random() > 0.03, True, pg_array(criteria), area, "bench",
                            f"{start} 09:00:00+01"))
            placements.append((plid, index, first, last, training, siae, weekly, last == current - 1 and rng.random() < 0.3))

        # The pathways, their points d'étape (every 6 months where the profile asks for them, now and then elsewhere)
        # and extensions; the référent records them, the PLIE's facilitator decides extensions.
        referent = None
        jobs = []  # (contract, start) of the exits into a job that were recorded as work
        for k, pw_entry, pw_exit, kind, extensions in pathways:
            pwid = new_pid()
            referent = prng.choice(referents[k]) if prng.random() > 0.03 else None
            ref_id, ref_label = referent or (None, "bench")
            status = "exited" if pw_exit else ("suspended" if prng.random() < 0.04 else "active")
            pw_rows.append((pwid, pid, plie_ids[k], pw_entry, ref_id, status, pw_exit, kind,
                            "Motif saisi par le référent (bench)" if kind == "other" else None, f"{pw_entry} 09:00:00+01"))
            until = pw_exit or horizon
            every = PLIE_PROFILES[k][4]
            if every:
                reviews, step = [], 1
                while add_months(pw_entry, every * step) <= until:
                    if prng.random() < 0.85:
                        reviews.append(add_months(pw_entry, every * step))
                    step += 1
            else:
                reviews = sorted({pick_date(prng, pw_entry, until) for _ in range(prng.randint(1, 3))}) if prng.random() < 0.25 else []
            for d in reviews:
                review_rows.append((pwid, d, prng.choice(review_notes), ref_id, ref_label, f"{d} 11:00:00+01"))
            share = PLIE_PROFILES[k][5]
            for months, requested, ext_status, decided in extensions:
                quota = [None] * 4
                if decided and share:
                    active = prng.randint(60, 140)
                    quota = [active, share, int(active * Decimal(share)), prng.randint(0, int(active * Decimal(share)))]
                extension_rows.append((pwid, months, prng.choice(extension_reasons), requested, ref_id, ref_label, ext_status, decided,
                                       facilitators[k][0] if decided else None, facilitators[k][1] if decided else None,
                                       "Refusée : durée maximale atteinte" if ext_status == "refused" else None, *quota,
                                       f"{requested} 10:00:00+01"))
            if kind in EXIT_CONTRACTS and prng.random() < 0.5:
                jobs.append((prng.choice(EXIT_CONTRACTS[kind]), max(pw_entry, pw_exit - dt.timedelta(days=prng.randrange(0, 31)))))

        # Work outside clauses: the exits into a job, and 1-3 episodes for some, around the latest pathway.
        wanted = prng.choices([1, 2, 3], [60, 30, 10])[0] if prng.random() < EPISODE_SHARE else 0
        if pathways:
            ep_from = max(since, pathways[-1][1] - dt.timedelta(days=120))
            ep_to = min(horizon, (pathways[-1][2] or horizon) + dt.timedelta(days=90))
        else:
            ep_from, ep_to = since, horizon
        jobs += [(prng.choices(*episode_contracts)[0], pick_date(prng, ep_from, ep_to)) for _ in range(max(0, wanted - len(jobs)))]
        ref_id, ref_label = referent or (None, "bench")
        for contract, ep_start in jobs:
            shortest, longest = EPISODE_LENGTHS[contract]
            ep_end = None if contract == "cdi" and prng.random() < 0.7 else ep_start + dt.timedelta(days=prng.randint(shortest, longest))
            weekly = None if prng.random() < 0.1 else prng.choice(["35", "35", "35", "39", "30", "28", "24", "20", "17.5"])
            epid = new_pid()
            episode_rows.append((epid, pid, f"{prng.choice(employers)} bench {prng.randrange(5000):04d}", contract, ep_start, ep_end,
                                 weekly, weekly in ("17.5", "20") and prng.random() < 0.5, prng.choice(sources), ref_id, ref_label,
                                 f"{ep_start} 14:00:00+01"))
            if prng.random() < 0.4:
                # The monthly hours stated, up to the horizon (2 years at most), prorated in the first and last months.
                monthly = Decimal(weekly or "35") * 52 / 12
                stop = min(ep_end or horizon, horizon)
                for m in range(month_index(ep_start), min(month_index(stop), month_index(ep_start) + 23) + 1):
                    days = (last_day(m) - first_day(m)).days + 1
                    worked = (min(stop, last_day(m)) - max(ep_start, first_day(m))).days + 1
                    hours = (monthly * worked / days * Decimal(prng.choice(["1", "0.95", "0.9", "1", "0.85"]))).quantize(Decimal("0.01"))
                    episode_month_rows.append((epid, first_day(m), hours))
    assert total_reports == args.reports, (total_reports, args.reports)
    loader.copy("participants", ["id", "reference", "last_name", "first_name", "birth_date", "sex", "commune_insee", "priority_area",
                                 "labour_market_status", "prescriber", "qualification_level", "skills", "target_jobs",
                                 "driving_licence", "vehicle", "max_travel_km", "available_from"], pa_rows)
    del pa_rows
    loader.copy("eligibility_criteria", ["participant_id", "code", "proof_kind", "proof_date", "attested_by", "validated_at",
                                         "validated_by_label", "valid_until"], criteria_rows)
    del criteria_rows
    loader.copy("placements", ["id", "code", "participant_id", "lot_id", "company_id", "execution_mode", "contract_type", "start_date",
                               "end_date", "weekly_hours", "reduced_hours_agreed", "on_clause_operation", "counting",
                               "eligibility_criteria", "priority_area", "created_by_label", "created_at"], pl_rows)
    del pl_rows
    loader.copy("pathways", ["id", "participant_id", "plie_id", "entry_date", "referent_user_id", "status", "exit_date", "exit_kind",
                             "exit_reason", "created_at"], pw_rows)
    loader.copy("pathway_reviews", ["pathway_id", "review_date", "note", "recorded_by", "recorded_by_label", "created_at"], review_rows)
    loader.copy("pathway_extensions", ["pathway_id", "months", "reason", "requested_on", "requested_by", "requested_by_label", "status",
                                       "decided_on", "decided_by", "decided_by_label", "decision_note", "file_active", "quota_share",
                                       "quota", "extended", "created_at"], extension_rows)
    loader.copy("employment_episodes", ["id", "participant_id", "employer_name", "contract_type", "start_date", "end_date",
                                        "weekly_hours", "reduced_hours_agreed", "source", "recorded_by", "recorded_by_label",
                                        "created_at"], episode_rows)
    loader.copy("employment_episode_months", ["episode_id", "month", "hours"], episode_month_rows)
    pathway_figures = {"pathways": len(pw_rows), "pathway_reviews": len(review_rows), "pathway_extensions": len(extension_rows),
                       "employment_episodes": len(episode_rows), "employment_episode_months": len(episode_month_rows)}
    del pw_rows, review_rows, extension_rows, episode_rows, episode_month_rows
    loader.sql(f"DO $$ BEGIN PERFORM setval('placement_code_seq', {max(args.placements, 1)}); END $$")
    log(f"referential, participants, placements and pathways generated in {time.monotonic() - t0:.1f} s ("
        + ", ".join(f"{k} {v:,}" for k, v in pathway_figures.items()) + f"); now {args.reports:,} hour reports")

    if not args.keep_indexes:
        for table, name, _ in foreign:
            loader.sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in keys:
            loader.sql(f'ALTER TABLE hour_reports DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            loader.sql(f"DROP INDEX {name}")

    factors = [Decimal(f) for f in ["1", "0.95", "0.9", "1", "0.97", "0.85", "1", "0.92", "0.8", "1", "0.98", "0.88"]]
    hour_tables = {}

    def hour_table(weekly, training, siae, status):
        """12 formatted tails `worked, training, attested, amount, source, declared_by_label, status,
        validated_by_label` (month variations), plus the first (partial) month's."""
        key = (weekly, training, siae, status)
        if key not in hour_tables:
            monthly = (Decimal(weekly) * 52 / 12).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            source = "siae" if siae else "company"
            check = "\tvalidated\tbench\n" if status == "validated" else "\tdeclared\t\\N\n"
            rows = []
            for factor in factors + [Decimal("0.5")]:
                worked = (monthly * factor).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                attested = str(worked) if siae == "attested" else "\\N"
                amount = str((worked * 25).quantize(Decimal("0.01"))) if siae == "amount" else "\\N"
                rows.append(f"\t{worked}\t{training}\t{attested}\t{amount}\t{source}\tbench{check}")
            hour_tables[key] = rows
        return hour_tables[key]

    month_heads = {}
    for m in range(first_month, current):
        nxt = first_day(m + 1)
        month_heads[m] = (f"\t{first_day(m)}\t{nxt + dt.timedelta(days=4)} 09:00:00+01\t{nxt + dt.timedelta(days=9)} 15:00:00+01",
                          f"\t{first_day(m)}\t{nxt + dt.timedelta(days=4)} 09:00:00+01\t\\N")

    def report_rows():
        for plid, index, first, last, training, siae, weekly, last_declared in placements:
            validated = hour_table(weekly, training, siae, "validated")
            phase = index % 12
            for m in range(first, last + 1):
                if m == last and last_declared:
                    yield plid + month_heads[m][1] + hour_table(weekly, training, siae, "declared")[(m + phase) % 12]
                else:
                    yield plid + month_heads[m][0] + validated[12 if m == first else (m + phase) % 12]

    t1 = time.monotonic()
    loader.copy("hour_reports", ["placement_id", "month", "declared_at", "validated_at", "worked_hours", "training_hours",
                                 "attested_insertion_hours", "subcontract_amount", "source", "declared_by_label", "status",
                                 "validated_by_label"], report_rows(), chunk=50_000)
    log(f"{args.reports:,} hour reports generated and sent in {time.monotonic() - t1:.1f} s")
    for statement in rebuild:
        loader.sql(statement)
        loader.echo(("rebuilt: " + statement[:90]).replace("\n", " "))
    loader.sql("COMMIT")
    loader.echo("committed")
    loader.close()

    # Admin account for the API measures (bench/run.py issues its token).
    if not psql_query(url, f"SELECT 1 FROM users WHERE email = '{args.admin_email}'"):
        binary = args.clauses_bin
        if binary and os.access(binary, os.X_OK):
            command = [binary, "user", "add", "--email", args.admin_email, "--role", "admin", "--name", "Bench admin", "--generate-password"]
            if args.config:
                command += ["--config", args.config]
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, CLAUSES_DATABASE_URL=url))
        else:
            psql_query(url, f"INSERT INTO users (email, display_name, role, password_hash) "
                            f"VALUES ('{args.admin_email}', 'Bench admin', 'admin', '!no-password')")
    t2 = time.monotonic()
    subprocess.run(["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", "VACUUM (ANALYZE)"], check=True)
    log(f"VACUUM (ANALYZE) in {time.monotonic() - t2:.1f} s")
    psql_query(url, "CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value jsonb NOT NULL)")
    meta = dict(figures, **pathway_figures, buyer_lots=args.buyer_lots, plie_share=args.plie_share, seed=args.seed,
                reference_month=f"{first_day(current):%Y-%m}",
                big_buyer_siret=luhn_complete(BIG_BUYER_SIRET_BASE), load_seconds=round(time.monotonic() - t0, 1),
                scale=args.scale, loaded_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    psql_query(url, "INSERT INTO bench_meta VALUES ('load', '" + json.dumps(meta).replace("'", "''") + "') "
                    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value")
    size = psql_query(url, "SELECT pg_size_pretty(pg_database_size(current_database()))")[0][0]
    log(f"done in {time.monotonic() - t0:.1f} s; database size {size}")


if __name__ == "__main__":
    main()
