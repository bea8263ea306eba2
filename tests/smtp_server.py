"""A real SMTP server for the tests (aiosmtpd), recording every message it accepts.

It can answer with errors on purpose (``script``: the codes to answer, in order, before
accepting) and take its time (``delay``) so a test can kill a worker mid-batch.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import Message

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    recipients: list[str]
    message: Message

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]

    @property
    def text(self) -> str:
        """Subject and every text part, decoded."""
        parts = [str(self.message["Subject"])]
        for part in self.message.walk():
            if part.get_content_maintype() == "text":
                parts.append(part.get_content())
        return "\n".join(parts)


@dataclass
class RecordingHandler:
    delay: float = 0.0
    #: SMTP answers to give before accepting, e.g. ["451 4.3.0 Try again later"] * 2.
    script: list[str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            if self.script:
                self.refused += 1
                return self.script.pop(0)
            self.received.append(
                Received(
                    list(envelope.rcpt_tos),
                    email.message_from_bytes(envelope.content, policy=email.policy.default),
                )
            )
        return "250 OK"


class RecordingSMTPServer:
    def __init__(self, delay: float = 0.0):
        self.handler = RecordingHandler(delay=delay)
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.received.clear()
            self.handler.script.clear()
            self.handler.refused = 0

    def wait_for(self, count: int, timeout: float = 60) -> list[Received]:
        """Wait until ``count`` distinct messages (by Message-ID) arrived; return them all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len({r.message_id for r in self.received}) >= count:
                return self.received
            time.sleep(0.05)
        return self.received
