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
6. memory: VmHWM (peak) and VmRSS of the service process from /proc/PID/status after the measures.

Prints a table with PASS/MISS against the issue's targets and writes var/bench/results.json. Exits 0
whatever the figures (a measurement, not a test); non-zero only when something could not be measured.
"""
import argparse
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

TARGETS = {  # metric -> (limit, "max" | "min", unit)
    "lot_balance_p95_ms": (10.0, "max", "ms"),
    "buyer_balance_p95_ms": (100.0, "max", "ms"),
    "import_lines_per_s": (20_000.0, "min", "lines/s"),
    "login_flood_p95_ratio": (2.0, "max", "× idle"),
    "max_upload_p95_ratio": (2.0, "max", "× idle"),
    "service_peak_rss_mb": (200.0, "max", "MB"),
}


def log(message):
    print(f"[run {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def psql(url, sql):
    result = subprocess.run(["psql", url, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                            check=True, capture_output=True, text=True, env=dict(os.environ, PGCLIENTENCODING="UTF8"))
    return [line.split("\t") for line in result.stdout.splitlines() if line]


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
    p.add_argument("--skip", default=env("BENCH_SKIP", ""), help="comma-separated measures to skip: lot,buyer,import,flood,upload")
    p.add_argument("--probe-seconds", type=float, default=float(env("BENCH_PROBE_SECONDS", "10")))
    p.add_argument("--flood-clients", type=int, default=int(env("BENCH_FLOOD_CLIENTS", "16")))
    p.add_argument("--seed", type=int, default=int(env("BENCH_SEED", "20261123")))
    p.add_argument("--out", default=env("BENCH_OUT", "var/bench/results.json"))
    p.add_argument("--admin-email", default="bench-admin@bench.clauses.fr")
    args = p.parse_args()
    if not args.database_url:
        p.error("--database-url (or BENCH_DATABASE_URL / CLAUSES_DATABASE_URL) is required")
    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    return args


def bench_config(args, out_dir):
    """The configuration under test with one change: 127.0.0.1 is a trusted proxy, so the login flood's
    `X-Forwarded-For` addresses are believed (a distributed flood, the worst case for the throttle)."""
    with open(args.config) as f:
        text = f.read()
    text, count = re.subn(r"(?m)^trusted_proxies = \[\]$", 'trusted_proxies = ["127.0.0.1"]', text)
    if count != 1:
        raise SystemExit(f"run: {args.config} has no `trusted_proxies = []` line to change")
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
    env = dict(os.environ, CLAUSES_DATABASE_URL=args.database_url)
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


def measure_lots(args, client, url):
    rows = psql(url, f"SELECT id FROM lots ORDER BY md5(id::text || '{args.seed}') LIMIT {args.lot_samples + args.warmup}")
    ids = [r[0] for r in rows]
    warm, sample = ids[:args.warmup], ids[args.warmup:]
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


def measure_buyer(args, client, url):
    siret = psql(url, "SELECT value->>'big_buyer_siret' FROM bench_meta WHERE key = 'load'")[0][0]
    buyer, lots = psql(url, f"""
        SELECT b.id, count(l.id) FROM buyers b JOIN public_contracts pc ON pc.buyer_id = b.id JOIN lots l ON l.public_contract_id = pc.id
        WHERE b.siret = '{siret}' GROUP BY b.id""")[0]
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


def french(hundredths):
    return f"{hundredths // 100},{hundredths % 100:02d}" if hundredths % 100 else str(hundredths // 100)


def measure_import(args, url, out_dir):
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

    results = {"started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "dataset": meta, "machine": {
        "cpus": os.cpu_count(), "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), ""),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1), "kernel": platform.release(),
        "postgresql": psql(url, "SHOW server_version")[0][0]}}
    try:
        results["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    except OSError:
        pass
    port = free_port()
    config = bench_config(args, out_dir)
    service = start_service(args, port, os.path.join(out_dir, "serve.log"), config)
    log(f"clauses serve (pid {service.pid}) ready on port {port}")
    results["service_rss_at_start_mb"] = round(proc_status(service.pid)["VmRSS"], 1)
    try:
        client = Client(port, token)
        if "lot" not in args.skip:
            log(f"lot balance: {args.warmup} warm-up + {args.lot_samples} lots")
            results["lot_balance"] = measure_lots(args, client, url)
        if "buyer" not in args.skip:
            log(f"buyer balance: {args.buyer_runs} runs")
            results["buyer_balance"] = measure_buyer(args, client, url)
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
            results["import"] = measure_import(args, url, out_dir)
        status = proc_status(service.pid)
        results["service_memory"] = {"peak_rss_mb": round(status["VmHWM"], 1), "rss_mb": round(status["VmRSS"], 1)}
    finally:
        service.send_signal(signal.SIGTERM)
        try:
            service.wait(timeout=30)
        except subprocess.TimeoutExpired:
            service.kill()
        psql(url, f"DELETE FROM api_tokens WHERE token_hash = sha256(convert_to('{token}', 'UTF8'))")

    figures = {
        "lot_balance_p95_ms": results.get("lot_balance", {}).get("p95_ms"),
        "buyer_balance_p95_ms": results.get("buyer_balance", {}).get("p95_ms"),
        "import_lines_per_s": results.get("import", {}).get("lines_per_s") if results.get("import", {}).get("exit_status") == 0 else None,
        "login_flood_p95_ratio": round(results["login_flood"]["p95_ms"] / results["idle"]["p95_ms"], 2) if "login_flood" in results else None,
        "max_upload_p95_ratio": round(results["largest_upload"]["p95_ms"] / results["idle"]["p95_ms"], 2) if "largest_upload" in results else None,
        "service_peak_rss_mb": results["service_memory"]["peak_rss_mb"],
    }
    verdicts = {}
    for metric, (limit, kind, unit) in TARGETS.items():
        value = figures[metric]
        verdicts[metric] = {"value": value, "target": limit, "unit": unit, "kind": kind,
                            "verdict": "n/a" if value is None else ("PASS" if (value <= limit if kind == "max" else value >= limit) else "MISS")}
    results["targets"] = verdicts
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2, ensure_ascii=False)

    d = results["dataset"]
    print()
    print(f"clauses bench — scale {d['scale']}: {d['contracts']:,} marchés, {d['lots']:,} lots, {d['participants']:,} participants, "
          f"{d['placements']:,} placements, {d['reports']:,} hour reports; {results['machine']['cpus']} CPUs, PostgreSQL {results['machine']['postgresql']}")
    print(f"{'measure':<34}{'median':>10}{'p95':>10}{'p99':>10}{'max':>10}   target        verdict")
    lot, buyer, imp = results.get("lot_balance"), results.get("buyer_balance"), results.get("import")
    if lot:
        print(f"{'lot balance (ms, %d lots)' % lot['count']:<34}{lot['median_ms']:>10.2f}{lot['p95_ms']:>10.2f}{lot['p99_ms']:>10.2f}"
              f"{lot['max_ms']:>10.2f}   p95 <= 10 ms   {verdicts['lot_balance_p95_ms']['verdict']}")
    if buyer:
        print(f"{'buyer balance (ms, %d lots)' % buyer['lots']:<34}{buyer['median_ms']:>10.2f}{buyer['p95_ms']:>10.2f}{buyer['p99_ms']:>10.2f}"
              f"{buyer['max_ms']:>10.2f}   p95 <= 100 ms  {verdicts['buyer_balance_p95_ms']['verdict']}")
    if imp:
        print(f"{'hours import (%d lines, %.2f s)' % (imp['lines'], imp['seconds']):<34}{imp['lines_per_s']:>10,} lines/s"
              f"{'':>15}   >= 20,000/s    {verdicts['import_lines_per_s']['verdict']}")
    idle = results.get("idle")
    for key, label, metric in [("login_flood", "other users, login flood", "login_flood_p95_ratio"),
                               ("largest_upload", "other users, largest upload", "max_upload_p95_ratio")]:
        if idle and key in results:
            m = results[key]
            print(f"{label + ' (ms)':<34}{m['median_ms']:>10.2f}{m['p95_ms']:>10.2f}{m['p99_ms']:>10.2f}{m['max_ms']:>10.2f}   "
                  f"p95 <= 2 × {idle['p95_ms']:.2f}  {verdicts[metric]['verdict']} ({figures[metric]} ×)")
    mem = results["service_memory"]
    print(f"{'service memory (MB)':<34}{'peak %.1f' % mem['peak_rss_mb']:>10}{'now %.1f' % mem['rss_mb']:>20}{'':>10}   "
          f"peak <= 200 MB {verdicts['service_peak_rss_mb']['verdict']}")
    print(f"\nresults: {args.out}")


if __name__ == "__main__":
    main()
