"""The mail sender's throughput (`make bench`, measure `mail`): messages written into the outbox, then
`clauses job run send-mail` drains them to a local aiosmtpd sink; beside it, the limit: libcurl sending the
same rendered message the same number of times in a bare C loop (bench/smtp_loop.c) to the same sink."""
import glob
import os
import shutil
import subprocess
import time

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SINK = os.path.join(REPOSITORY, "Sources", "ClausesTestSupport", "smtp_sink.py")
TEXT = ("Bonjour,\n\nLe lot « Voirie et réseaux divers » est en retard de 312,5 heures sur l'attendu au 30 novembre. "
        "Voyez sa page pour le détail des mises à l'emploi et des relevés du mois.\n") * 4


def start_sink(directory, count_only):
    arguments = ["/usr/bin/python3", SINK, directory] + (["--count-only"] if count_only else [])
    sink = subprocess.Popen(arguments, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    port = int(sink.stdout.readline())
    return sink, port


def stop_sink(sink):
    sink.stdin.close()
    sink.wait(timeout=30)
    return int(sink.stderr.read().split()[-1])


def compile_loop(out_dir):
    compiler = shutil.which("cc") or shutil.which("clang")
    if not compiler:
        raise SystemExit("mail: no C compiler (cc or clang) for bench/smtp_loop.c")
    binary = os.path.join(out_dir, "smtp_loop")
    subprocess.run([compiler, "-O2", "-o", binary, os.path.join(REPOSITORY, "bench", "smtp_loop.c"), "-lcurl"], check=True)
    return binary


def measure_mail(args, url, out_dir, psql, log):
    count = args.mail_messages
    work = os.path.join(out_dir, "mail")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    psql(url, "DELETE FROM mail_outbox WHERE kind = 'test'")
    psql(url, f"""INSERT INTO mail_outbox (message_id, kind, recipients, subject, text_body, html_body, created_at, next_attempt_at)
                  SELECT '<bench-' || n || '@clauses.bench>', 'test', ARRAY['equipe@example.test'],
                         'Lot en retard : Voirie et réseaux divers (lot 2)', $t${TEXT}$t$,
                         '<p>' || $t${TEXT}$t$ || '</p>', now(), now()
                  FROM generate_series(1, {count}) AS n""")
    sink, port = start_sink(os.path.join(work, "service"), count_only=True)
    config = os.path.join(work, "config.toml")
    with open(args.config) as source, open(config, "w") as target:
        text = source.read().replace('smtp_url = ""', f'smtp_url = "smtp://127.0.0.1:{port}"', 1)
        target.write(text.replace("smtp_starttls = true", "smtp_starttls = false", 1))
    env = dict(os.environ, CLAUSES_DATABASE_URL=url)
    log(f"mail: {count} messages through `clauses job run send-mail`")
    started = time.monotonic()
    run = subprocess.run([args.clauses_bin, "job", "run", "send-mail", "--config", config], env=env,
                         capture_output=True, text=True)
    wall = time.monotonic() - started
    received = stop_sink(sink)
    if run.returncode != 0 or received != count:
        raise SystemExit(f"mail: send-mail exited {run.returncode}, sink received {received}/{count}: {run.stderr[-500:]}")
    job_seconds = float(psql(url, """SELECT extract(epoch FROM finished_at - started_at) FROM job_runs
                                     WHERE job = 'send-mail' AND slot IS NULL ORDER BY id DESC LIMIT 1""")[0][0])
    sent_ok = int(psql(url, "SELECT count(*) FROM mail_outbox WHERE kind = 'test' AND status = 'sent'")[0][0])
    psql(url, "DELETE FROM mail_outbox WHERE kind = 'test'")

    # The limit: one of the messages as the service rendered it, sent the same number of times by bare libcurl.
    keeper, keeper_port = start_sink(os.path.join(work, "rendered"), count_only=False)
    psql(url, f"""INSERT INTO mail_outbox (message_id, kind, recipients, subject, text_body, html_body, created_at, next_attempt_at)
                  VALUES ('<bench-sample@clauses.bench>', 'test', ARRAY['equipe@example.test'],
                          'Lot en retard : Voirie et réseaux divers (lot 2)', $t${TEXT}$t$, '<p>' || $t${TEXT}$t$ || '</p>', now(), now())""")
    with open(config, "w") as target, open(args.config) as source:
        text = source.read().replace('smtp_url = ""', f'smtp_url = "smtp://127.0.0.1:{keeper_port}"', 1)
        target.write(text.replace("smtp_starttls = true", "smtp_starttls = false", 1))
    subprocess.run([args.clauses_bin, "job", "run", "send-mail", "--config", config], env=env, check=True, capture_output=True)
    stop_sink(keeper)
    psql(url, "DELETE FROM mail_outbox WHERE kind = 'test'")
    rendered = glob.glob(os.path.join(work, "rendered", "*.eml"))[0]
    loop = compile_loop(out_dir)
    limit_sink, limit_port = start_sink(os.path.join(work, "limit"), count_only=True)
    result = subprocess.run([loop, f"smtp://127.0.0.1:{limit_port}", str(count), rendered], capture_output=True, text=True)
    limit_received = stop_sink(limit_sink)
    if result.returncode != 0 or limit_received != count:
        raise SystemExit(f"mail: smtp_loop failed ({limit_received}/{count}): {result.stderr[-500:]}")
    limit_seconds = float(result.stdout)
    return {
        "messages": count, "message_bytes": os.path.getsize(rendered), "sent": sent_ok,
        "job_seconds": round(job_seconds, 3), "wall_seconds": round(wall, 3),
        "messages_per_s": round(count / job_seconds, 1),
        "limit_seconds": round(limit_seconds, 3), "limit_messages_per_s": round(count / limit_seconds, 1),
    }
