"""Loopback SMTP sink for MailerTests (needs Debian's python3-aiosmtpd).

Usage: python3 smtp_sink.py DIRECTORY
Listens on 127.0.0.1 on a free port, prints the port on stdout once listening, and saves
each message as DIRECTORY/<n>.eml (raw DATA bytes) plus DIRECTORY/<n>.json (envelope).
Recipients starting with "rejete@" get 550, those starting with "plus-tard@" get 451.
The sink exits when its stdin reaches end of file (the test closes it, or dies), and on
SIGTERM: the signal mask inherited from the test runner is cleared first.
"""
import asyncio
import json
import os
import signal
import sys
import uuid

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, directory):
        self.directory = directory

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("rejete@"):
            return "550 5.1.1 Mailbox unavailable"
        if address.startswith("plus-tard@"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = uuid.uuid4().hex
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}
        for extension, payload in (("json", json.dumps(meta).encode()), ("eml", envelope.original_content)):
            temporary = os.path.join(self.directory, "." + name + ".tmp")
            with open(temporary, "wb") as handle:
                handle.write(payload)
            os.rename(temporary, os.path.join(self.directory, name + "." + extension))
        return "250 Message accepted for delivery"


async def main():
    directory = sys.argv[1]
    os.makedirs(directory, exist_ok=True)
    loop = asyncio.get_running_loop()
    sink = Sink(directory)
    server = await loop.create_server(lambda: SMTP(sink), host="127.0.0.1", port=0)
    print(server.sockets[0].getsockname()[1], flush=True)
    # Serve until stdin is closed.
    await loop.run_in_executor(None, sys.stdin.buffer.read)
    server.close()
    os._exit(0)


signal.pthread_sigmask(signal.SIG_SETMASK, [])
signal.signal(signal.SIGTERM, signal.SIG_DFL)
signal.signal(signal.SIGINT, signal.SIG_DFL)


asyncio.run(main())
