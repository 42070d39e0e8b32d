"""Real local receivers for notification tests: an SMTP server (aiosmtpd) and an HTTP server standing
in for the DingTalk / WeCom / JSON webhooks. Both listen on 127.0.0.1 only."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SMTPReceiver:
    """``with SMTPReceiver() as smtp:`` … ``smtp.messages`` (parsed ``EmailMessage`` objects)."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes = []
        receiver = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                receiver.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                receiver.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
                return "250 OK"

        # aiosmtpd's controller cannot bind port 0 (it connects to itself to check it is up)
        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "SMTPReceiver":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @staticmethod
    def text(message) -> str:
        """The plain-text part of a message."""
        part = message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    @staticmethod
    def html(message) -> str:
        part = message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""


class WebhookReceiver:
    """An HTTP server recording every request; ``status`` is what it answers (503: a channel that is
    down). ``start(port)`` may reuse the port of an earlier receiver."""

    def __init__(self, port: int | None = None):
        self.requests: list[dict] = []
        self.status = 200
        self.reply = b'{"errcode": 0, "errmsg": "ok"}'
        self.port = port
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> "WebhookReceiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                record = {"path": self.path, "headers": dict(self.headers), "body": body, "json": None}
                try:
                    record["json"] = json.loads(body.decode("utf-8"))
                except ValueError:
                    pass
                receiver.requests.append(record)
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(receiver.reply)))
                self.end_headers()
                self.wfile.write(receiver.reply)

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port or 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(timeout=5)
            self.server = None

    def __enter__(self) -> "WebhookReceiver":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def at(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"].split("?")[0] == path]
