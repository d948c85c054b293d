"""A real SMTP server on loopback for tests (aiosmtpd): every message it
receives is written to DIR as an .eml file. Prints READY once listening.

usage: python3 smtp_sink.py PORT DIR
"""
import os
import sys
import time
import uuid

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory

    async def handle_DATA(self, server, session, envelope):
        name = os.path.join(self.directory, f"{uuid.uuid4()}.eml")
        with open(name + ".tmp", "wb") as f:
            f.write(b"X-Envelope-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content)
        os.rename(name + ".tmp", name)
        return "250 OK"


port, directory = int(sys.argv[1]), sys.argv[2]
controller = Controller(Sink(directory), hostname="127.0.0.1", port=port)
controller.start()
print("READY", flush=True)
try:
    while True:
        time.sleep(3600)
except KeyboardInterrupt:
    pass
finally:
    controller.stop()
