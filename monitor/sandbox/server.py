"""The sandbox server: a virtual-host HTTP forward proxy on 127.0.0.1 serving the whole fleet.

It answers absolute-URI proxy requests (``GET http://www.kaifeng.gov.cn/ HTTP/1.1``, what Scrapy and
Chromium send through ``http_proxy``) and plain requests routed by their Host header. Control
endpoints live on host ``sandbox.control`` or under ``/__sandbox__/`` on any host: ``/health``,
``/phase?set=decay&now=ISO``, ``/log`` (JSON; ``?since=N``), ``/reset`` (clears the log and the
flapping counters).

Why ``ThreadingHTTPServer``: it is the standard library's, one thread per connection, so a portal
sleeping 20 s (timeout) or trickling a 60 MB body never holds up the others, and keep-alive
connections from the crawler are reused. Page generation is short, GIL-bound string work either
way; an event loop would not serve pages faster and would make the blocking faults harder to write.
"""

from __future__ import annotations

import json
import select
import socket
import struct
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from monitor.clock import SHANGHAI, parse_now
from monitor.sandbox.bundled import load_fleet
from monitor.sandbox.fleet import Fleet
from monitor.sandbox.scenario import Clock
from monitor.sandbox.site import HOMEPAGES, Reply, Site, squid_error

CONTROL_HOST = "sandbox.control"
CONTROL_PREFIX = "/__sandbox__"
_TICK = 0.1
_FILL = (b"<p>" + "政府信息公开".encode() * 40 + b"</p>\n") * 16


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256
    allow_reuse_address = True


class Sandbox:
    """A fleet of simulated government portals behind one proxy address.

    ``now=None`` follows the real clock (Asia/Shanghai, to the hour); a fixed ``now`` freezes it.
    """

    def __init__(self, registry_csv=None, fleet_json=None, now: datetime | None = None, phase: str = "audit",
                 host: str = "127.0.0.1", port: int = 0, *, fleet: Fleet | None = None,
                 audit_now: datetime | None = None, latency: float = 0.0, cache_size: int = 2048):
        self.fleet = fleet or load_fleet(registry_csv, fleet_json)
        self.site = Site(self.fleet, cache_size)
        self.host, self.port = host, port
        self.latency = float(latency)
        self._lock = threading.Lock()
        self._log: list = []
        self._counters: dict = {}
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._conns: set = set()
        self._fixed_now = now
        self._audit_now = audit_now
        self._phase = phase
        self._clock = None
        self.set_phase(phase, now)

    # --- lifecycle -----------------------------------------------------------------------------
    def start(self) -> str:
        handler = type("Handler", (_Handler,), {"sandbox": self})
        self._server = _Server((self.host, self.port), handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="sandbox", daemon=True)
        self._thread.start()
        return self.url

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            with self._lock:
                conns = list(self._conns)
            for conn in conns:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "Sandbox":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- scenario ------------------------------------------------------------------------------
    def set_phase(self, phase: str, now: datetime | None = None) -> None:
        """Switch to ``audit`` or ``decay``; ``now`` (optional) moves the frozen clock."""
        if now is not None:
            self._fixed_now = now
        clock = Clock.make(phase, self._fixed_now or _hour_now(), self._audit_now, self.fleet.scenario)
        with self._lock:
            self._phase = phase
            if phase == "audit":
                self._audit_now = clock.now
            self._clock = clock

    @property
    def clock(self) -> Clock:
        if self._fixed_now is None:
            return Clock.make(self._phase, _hour_now(), self._audit_now, self.fleet.scenario)
        return self._clock

    @property
    def phase(self) -> str:
        return self._phase

    @property
    def requests(self) -> list:
        """``(method, absolute URL, status)`` of every request served (0: no response)."""
        with self._lock:
            return list(self._log)

    def reset(self) -> None:
        with self._lock:
            self._log.clear()
            self._counters.clear()

    def _record(self, method: str, url: str, status: int) -> None:
        with self._lock:
            self._log.append((method, url, status))

    def _flaps(self, portal) -> bool:
        """Count a homepage request; True when this one is the flapping portal's down one."""
        spec = portal.flap
        if not spec:
            return False
        with self._lock:
            n = self._counters[portal.id] = self._counters.get(portal.id, 0) + 1
        first, every = int(spec.get("first", spec.get("every", 7))), int(spec.get("every", 7))
        # every <= 0: down for that one request only (a portal that was down for one probe)
        return n == first or (every > 0 and n > first and (n - first) % every == 0)

    def state(self) -> dict:
        c = self.clock
        return {"ok": True, "phase": c.phase, "now": c.now.isoformat(), "audit_now": c.audit_now.isoformat(),
                "portals": len(self.fleet.portals), "requests": len(self._log)}


def _hour_now() -> datetime:
    return datetime.now(SHANGHAI).replace(minute=0, second=0, microsecond=0)


class _Handler(BaseHTTPRequestHandler):
    sandbox: Sandbox
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    timeout = 120

    def setup(self) -> None:
        super().setup()
        with self.sandbox._lock:
            self.sandbox._conns.add(self.connection)

    def finish(self) -> None:
        with self.sandbox._lock:
            self.sandbox._conns.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, format, *args) -> None:  # noqa: A002 - quiet; the log is ``requests``
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_CONNECT(self) -> None:
        # no TLS here: refuse the tunnel at once, as squid does when the origin refuses
        self._send(squid_error("ERR_CONNECT_FAIL 111", 503, f"https://{self.path}/"), f"https://{self.path}/")

    # --- dispatch ------------------------------------------------------------------------------
    def _serve(self) -> None:
        target = self.path
        if target.startswith(("http://", "https://")):
            parts = urlsplit(target)
            host = (parts.hostname or "").lower()
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        else:
            host = (self.headers.get("Host") or "").strip().lower()
            host = host.split("]")[0].lstrip("[") if host.startswith("[") else host.split(":")[0]
        url = f"http://{host}{target}"
        form = b""
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            form = self.rfile.read(min(length, 1 << 20))
        if host == CONTROL_HOST or target.startswith(CONTROL_PREFIX + "/"):
            self._control(target[len(CONTROL_PREFIX):] if target.startswith(CONTROL_PREFIX) else target, url)
            return
        sandbox = self.sandbox
        clock = sandbox.clock
        portal = sandbox.site.portal_for(host)
        path = target.split("?", 1)[0]
        if portal is not None and path in HOMEPAGES and sandbox._flaps(portal):
            kind = (portal.flap or {}).get("kind", "reset")
            reply = Reply(0, fault="reset") if kind == "reset" else squid_error("ERR_CONNECT_FAIL 111", 503, url)
        else:
            reply = sandbox.site.resolve(host, target, clock, self.command, form)
        if sandbox.latency and portal is not None and not self._wait(sandbox.latency):
            sandbox._record(self.command, url, 0)
            return
        self._send(reply, url)

    def _send(self, reply: Reply, url: str, record: bool = True) -> None:
        sandbox = self.sandbox
        if reply.fault == "reset":
            sandbox._record(self.command, url, 0)
            self._reset()
            return
        if reply.delay and not self._wait(reply.delay):
            sandbox._record(self.command, url, 0)   # the client went away (or we are stopping)
            self.close_connection = True
            return
        self._server_name = next((v for k, v in reply.headers if k.lower() == "server"), "nginx")
        self.send_response(reply.status)
        has_length = False
        for name, value in reply.headers:
            if name.lower() == "server":
                continue
            has_length |= name.lower() == "content-length"
            self.send_header(name, value)
        if not has_length:
            self.send_header("Content-Length", str(len(reply.body)))
        if reply.status >= 500 or reply.fault:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if record:
            sandbox._record(self.command, url, reply.status)
        try:
            if self.command == "HEAD":
                return
            if reply.fault == "too_large":
                self._trickle(int(dict(reply.headers)["Content-Length"]))
            else:
                self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError, socket.timeout, OSError):
            self.close_connection = True

    def version_string(self) -> str:
        return getattr(self, "_server_name", "nginx")

    def _reset(self) -> None:
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _client_gone(self) -> bool:
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if readable:
                return self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True
        return False

    def _wait(self, seconds: float) -> bool:
        """Sleep ``seconds``; False as soon as the client hangs up or the sandbox stops."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            if self.sandbox._stopping.wait(min(_TICK, left)) or self._client_gone():
                return False

    def _trickle(self, size: int) -> None:
        rate = int(self.sandbox.fleet.scenario.get("too_large_rate", 262144))
        sent = 0
        chunk = _FILL[: max(1024, rate // 10)]
        while sent < size and not self.sandbox._stopping.is_set():
            piece = chunk[: size - sent]
            self.wfile.write(piece)
            sent += len(piece)
            time.sleep(_TICK)
        self.close_connection = True

    # --- control -------------------------------------------------------------------------------
    def _control(self, target: str, url: str) -> None:
        path, _, query = target.partition("?")
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        sandbox = self.sandbox
        status, payload = 200, None
        if path == "/health":
            payload = sandbox.state()
        elif path == "/phase":
            if "set" in params:
                try:
                    sandbox.set_phase(params["set"], parse_now(params["now"]) if params.get("now") else None)
                except ValueError as exc:
                    status, payload = 400, {"ok": False, "error": str(exc)}
            payload = payload or sandbox.state()
        elif path == "/log":
            since = int(params.get("since", 0) or 0)
            payload = [list(r) for r in sandbox.requests[since:]]
        elif path == "/reset":
            sandbox.reset()
            payload = sandbox.state()
        else:
            status, payload = 404, {"ok": False, "error": f"unknown control path {path}"}
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self._send(Reply(status, (("Content-Type", "application/json; charset=utf-8"),
                                  ("Cache-Control", "no-store")), body), url, record=False)
