"""Loopback SMTP sink for the tests and the benchmark (needs Debian's python3-aiosmtpd).

Usage: python3 smtp_sink.py DIRECTORY [--port N] [--tls CERT KEY] [--auth USER:PASSWORD]
                            [--data-delay SECONDS] [--count-only]
Listens on 127.0.0.1 (on PORT, or a free port), prints the port on stdout once listening, and saves each
message as DIRECTORY/<n>.eml (raw DATA bytes) plus DIRECTORY/<n>.json (envelope), unless --count-only.
--tls: STARTTLS offered with that certificate and required before MAIL; --auth: AUTH PLAIN/LOGIN
required with those credentials (after STARTTLS); --data-delay: waits that long before accepting DATA
(to kill a sender mid-send). Recipients starting with "rejete@" get 550, "plus-tard@" 451, and any
message whose subject contains "[5xx]" gets 554 at DATA.
The sink exits when its stdin reaches end of file (the test closes it, or dies), and on SIGTERM: the
signal mask inherited from the test runner is cleared first.
"""
import argparse
import asyncio
import json
import os
import signal
import ssl
import sys
import uuid

from aiosmtpd.smtp import SMTP, AuthResult


class Sink:
    def __init__(self, directory, data_delay, count_only):
        self.directory = directory
        self.data_delay = data_delay
        self.count_only = count_only
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("rejete@"):
            return "550 5.1.1 Mailbox unavailable"
        if address.startswith("plus-tard@"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        if b"[5xx]" in envelope.original_content.split(b"\r\n\r\n", 1)[0]:
            return "554 5.6.0 Message refused by policy"
        self.count += 1
        if self.count_only:
            return "250 Message accepted for delivery"
        name = uuid.uuid4().hex
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}
        for extension, payload in (("json", json.dumps(meta).encode()), ("eml", envelope.original_content)):
            temporary = os.path.join(self.directory, "." + name + ".tmp")
            with open(temporary, "wb") as handle:
                handle.write(payload)
            os.rename(temporary, os.path.join(self.directory, name + "." + extension))
        return "250 Message accepted for delivery"


def authenticator(expected):
    user, password = expected.split(":", 1)

    def check(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login.decode() == user and auth_data.password.decode() == password
        return AuthResult(success=ok, handled=False)

    return check


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--auth")
    parser.add_argument("--data-delay", type=float, default=0)
    parser.add_argument("--count-only", action="store_true")
    options = parser.parse_args()
    os.makedirs(options.directory, exist_ok=True)
    loop = asyncio.get_running_loop()
    sink = Sink(options.directory, options.data_delay, options.count_only)
    settings = {}
    if options.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*options.tls)
        settings.update(tls_context=context, require_starttls=True)
    if options.auth:
        settings.update(authenticator=authenticator(options.auth), auth_required=True)
    server = await loop.create_server(
        lambda: SMTP(sink, **settings), host="127.0.0.1", port=options.port, reuse_address=True)
    print(server.sockets[0].getsockname()[1], flush=True)
    # Serve until stdin is closed.
    await loop.run_in_executor(None, sys.stdin.buffer.read)
    server.close()
    print(sink.count, file=sys.stderr, flush=True)
    os._exit(0)


signal.pthread_sigmask(signal.SIG_SETMASK, [])
signal.signal(signal.SIGTERM, signal.SIG_DFL)
signal.signal(signal.SIGINT, signal.SIG_DFL)


asyncio.run(main())
