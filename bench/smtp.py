"""A real SMTP server on 127.0.0.1 that counts connections and messages (aiosmtpd in a
thread): the bench's Celery phase sends to it, and the batch-send tests count its
connections. Nothing leaves the machine; messages are kept in memory."""

from __future__ import annotations

import socket
import threading
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


class _Counter:
    def __init__(self, keep: bool) -> None:
        self.keep = keep
        self.lock = threading.Lock()
        self.connections = 0
        self.messages = 0
        self.recipients = 0
        self.kept: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages += 1
            self.recipients += len(envelope.rcpt_tos)
            if self.keep:
                self.kept.append(message_from_bytes(envelope.content))
        return "250 OK"


class _CountingController(Controller):
    def factory(self) -> SMTP:
        with self.handler.lock:
            self.handler.connections += 1
        return super().factory()


class LoopbackSMTP:
    """``with LoopbackSMTP() as smtp:`` a server at ``smtp.port``; ``smtp.connections`` and
    ``smtp.messages`` count what arrived (``keep=True`` keeps the parsed messages)."""

    def __init__(self, *, keep: bool = False) -> None:
        self._counter = _Counter(keep)
        with socket.socket() as sock:  # a free loopback port (aiosmtpd's start() needs one)
            sock.bind(("127.0.0.1", 0))
            self.port: int = sock.getsockname()[1]
        self._controller = _CountingController(self._counter, hostname="127.0.0.1", port=self.port)

    def start(self) -> LoopbackSMTP:
        self._controller.start()
        with self._counter.lock:  # start() connects once to see the server up
            self._counter.connections = 0
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> LoopbackSMTP:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def connections(self) -> int:
        return self._counter.connections

    @property
    def messages(self) -> int:
        return self._counter.messages

    @property
    def kept(self) -> list[Message]:
        return list(self._counter.kept)
