"""A real SMTP server for the tests (aiosmtpd), recording every message it accepts.

It can answer with errors on purpose (``script`` for DATA and ``rcpt_script`` for RCPT TO: the
codes to answer, in order, before accepting), and hold one message at a chosen point (``Trap``)
until the test lets it go, so a test can kill a worker at an exact moment of the SMTP dialogue
instead of guessing with sleeps:

* ``Trap(nth, RECEIVING)``: the nth message's DATA has begun (the server answered 354 and read
  its first line) but the server does not have the whole message; released, the server drops
  it, as any server drops a message whose client went away mid-DATA.
* ``Trap(nth, QUEUED)``: the server has the whole nth message and has queued it (it counts as
  received) but has not answered 250 yet: the window in which the client cannot know.
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
from aiosmtpd.smtp import SMTP

RECEIVING = "receiving"
QUEUED = "queued"
#: However long a trap holds a message (the test releases it long before).
HOLD_AT_MOST_SECONDS = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    recipients: list[str]
    message: Message
    #: The message as it came over the wire.
    raw: bytes = b""

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
class Trap:
    """Hold the ``nth`` message (counted over every session) at ``stage``: ``reached`` is set
    when it is held, and it is held until ``release`` is set."""

    nth: int
    stage: str
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    seen: int = 0
    #: The envelope recipients of the message held.
    recipients: list[str] = field(default_factory=list)

    def springs(self, stage: str) -> bool:
        """Count one message at ``stage``; True for the one to hold."""
        if stage != self.stage:
            return False
        self.seen += 1
        return self.seen == self.nth

    async def hold(self, recipients: list[str]) -> None:
        self.recipients = list(recipients)
        self.reached.set()
        await asyncio.get_running_loop().run_in_executor(
            None, self.release.wait, HOLD_AT_MOST_SECONDS
        )


@dataclass
class RecordingHandler:
    #: SMTP answers to give before accepting, e.g. ["451 4.3.0 Try again later"] * 2.
    script: list[str] = field(default_factory=list)
    #: SMTP answers to give to RCPT TO commands before accepting recipients.
    rcpt_script: list[str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    refused: int = 0
    trap: Trap | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def springs(self, stage: str) -> bool:
        with self.lock:
            return self.trap is not None and self.trap.springs(stage)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            if self.rcpt_script:
                self.refused += 1
                return self.rcpt_script.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.script:
                self.refused += 1
                return self.script.pop(0)
            self.received.append(
                Received(
                    list(envelope.rcpt_tos),
                    email.message_from_bytes(envelope.content, policy=email.policy.default),
                    envelope.content,
                )
            )
        if self.springs(QUEUED):
            await self.trap.hold(envelope.rcpt_tos)
        return "250 OK"


class TrappingSMTP(SMTP):
    async def smtp_DATA(self, arg: str) -> None:
        handler = self.event_handler
        if not handler.springs(RECEIVING):
            return await super().smtp_DATA(arg)
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        await self._reader.readuntil(b"\r\n")  # the first line; the rest is never read
        await handler.trap.hold(self.envelope.rcpt_tos)
        if self.transport is not None:
            self.transport.close()


class TrappingController(Controller):
    def factory(self):
        return TrappingSMTP(self.handler, **self.SMTP_kwargs)


class RecordingSMTPServer:
    def __init__(self):
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = TrappingController(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        if self.handler.trap is not None:
            self.handler.trap.release.set()
        self.controller.stop()

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def set_trap(self, nth: int, stage: str) -> Trap:
        with self.handler.lock:
            self.handler.trap = Trap(nth, stage)
            return self.handler.trap

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.received.clear()
            self.handler.script.clear()
            self.handler.rcpt_script.clear()
            self.handler.refused = 0

    def wait_for(self, count: int, timeout: float = 60) -> list[Received]:
        """Wait until ``count`` distinct messages (by Message-ID) arrived; return them all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len({r.message_id for r in self.received}) >= count:
                return self.received
            time.sleep(0.05)
        return self.received
