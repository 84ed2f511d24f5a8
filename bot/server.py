"""Serving: the WSGI app (Slack events, health, readiness, metrics), gunicorn, or Socket Mode."""
from __future__ import annotations

import io
import json
import logging
import time
from contextvars import ContextVar
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier

from storage.db import Database

from . import metrics
from .app import build_app, pool_size, start_background
from .config import Secrets, Settings
from .health import readiness
from .logs import new_correlation_id

log = logging.getLogger("canishare.server")


MAX_BODY = 256 * 1024  # Slack's payloads are a few kB; anything near this is not from Slack
# An oversized body is read and thrown away up to this much before the 413, so that the
# sender (still writing) gets the answer instead of a broken pipe; beyond it, the connection
# is simply closed.
DRAIN_LIMIT = 4 * 1024 * 1024
BAD_SIGNATURE_LOG_EVERY = 60.0  # seconds: a flood of bad requests is one log line a minute


class _BadSignatures:
    """Counts requests refused for their signature and logs at most once a minute, with the count
    and never the payload, so a mis-pasted SLACK_SIGNING_SECRET shows in the server log."""

    def __init__(self, every: float = BAD_SIGNATURE_LOG_EVERY, clock: Callable[[], float] | None = None):
        import threading
        import time

        self.every, self.clock = every, clock or time.monotonic
        self.lock = threading.Lock()
        self.count, self.last = 0, None

    def seen(self) -> None:
        with self.lock:
            self.count += 1
            now = self.clock()
            if self.last is not None and now - self.last < self.every:
                return
            count, self.count, self.last = self.count, 0, now
        log.warning("refused %d request%s to /slack/events with a missing or wrong Slack signature since the last "
                    "report; if Slack is calling, SLACK_SIGNING_SECRET does not match the app's Basic Information "
                    "→ Signing Secret", count, "" if count == 1 else "s")


def _plain(start_response: Callable[..., Any], status: str, text: str) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
    return [text.encode()]


def _plausible(headers: dict[str, str]) -> bool:
    """Headers shaped as Slack sends them: a timestamp of a few ASCII digits, a `v0=` hex digest."""
    ts, sig = headers.get("x-slack-request-timestamp") or "", headers.get("x-slack-signature") or ""
    return (0 < len(ts) <= 12 and ts.isascii() and ts.isdigit()
            and len(sig) <= 100 and sig.isascii() and sig.startswith("v0="))


_INTERACTION_KINDS = frozenset({"block_actions", "view_submission", "view_closed", "shortcut", "message_action",
                                "block_suggestion", "interactive_message"})


def request_kind(body: bytes) -> str:
    """What Slack sent, for metrics: a fixed set of kinds, never anything from the payload itself."""
    if body.startswith(b"{"):
        return "url_verification" if b'"url_verification"' in body[:200] else "event"
    form = parse_qs(body.decode("utf-8", "replace"))
    if "payload" in form:
        try:
            kind = json.loads(form["payload"][0]).get("type")
        except (ValueError, AttributeError):
            return "other"
        return kind if isinstance(kind, str) and kind in _INTERACTION_KINDS else "other"  # "type": [] is not a 500
    return "command" if "command" in form else "other"


def parsed_kind(body: dict) -> str:
    """request_kind of a form body, read from the payload Bolt has already parsed (`req.body`)."""
    kind = body.get("type")
    if isinstance(kind, str) and kind in _INTERACTION_KINDS:
        return kind
    return "command" if "command" in body and "type" not in body else "other"


# The kind of the request being handled on this thread, filled in by the Bolt middleware below
# from the body Bolt parsed, so that a form body (every click) is not parsed a second time here.
_KIND: ContextVar[list] = ContextVar("canishare_request_kind")


def _note_kind(req: BoltRequest, next: Callable[[], Any]) -> Any:  # noqa: A002 - Bolt's name
    kind = _KIND.get(None)
    if kind is not None and kind[0] is None:
        kind[0] = parsed_kind(req.body)
    return next()


def _status_code(status: str) -> str:
    return status.split(" ", 1)[0]


def wsgi_app(bolt: App, db: Database, signing_secret: str) -> Callable[..., Iterable[bytes]]:
    slack = SlackRequestHandler(bolt, path="/slack/events")
    bolt.use(_note_kind)
    verifier = SignatureVerifier(signing_secret)
    bad_signatures = _BadSignatures()
    # Many workspaces: the Add to Slack page and Slack's redirect back (browser GETs, unsigned;
    # the OAuth state protects the callback). One workspace has no OAuth flow: these are 404s.
    flow = bolt.oauth_flow
    oauth_paths = frozenset({flow.install_path, flow.redirect_uri_path}) if flow is not None else frozenset()

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == "/healthz" and method in ("GET", "HEAD"):
            return _plain(start_response, "200 OK", "ok\n")
        if path == "/readyz" and method in ("GET", "HEAD"):
            ready, reason = readiness(db)
            return _plain(start_response, "200 OK" if ready else "503 Service Unavailable", reason + "\n")
        if path == "/metrics" and method == "GET":
            text, content_type = metrics.render(db)
            start_response("200 OK", [("Content-Type", content_type)])
            return [text]
        if method == "GET" and oauth_paths and path in oauth_paths:
            return _oauth_request(environ, start_response, slack)
        if path != "/slack/events" or method != "POST":
            return _plain(start_response, "404 Not Found", "not found\n")
        new_correlation_id()
        started = time.perf_counter()
        kind: list = ["other"]
        _KIND.set(kind)

        def counted(status: str, headers: list, *rest: Any) -> Any:
            code = _status_code(status)
            if kind[0] is None:  # answered before Bolt's middleware saw it (e.g. another workspace)
                kind[0] = request_kind(kind[1])
            metrics.REQUESTS.labels(kind[0], code).inc()
            seconds = time.perf_counter() - started
            if code == "200":
                metrics.ACK_SECONDS.labels(kind[0]).observe(seconds)
            # One line per request, as an access log would give, without the URL or anything sent.
            log.info("%s answered %s in %.0f ms", kind[0], code, seconds * 1000,
                     extra={"kind": kind[0], "status": int(code), "duration_ms": round(seconds * 1000, 1)})
            return start_response(status, headers, *rest)

        return _slack_request(environ, counted, kind, slack, verifier, bad_signatures)

    return application


def _oauth_request(environ: dict[str, Any], start_response: Callable[..., Any], slack: SlackRequestHandler) -> Iterable[bytes]:
    """GET /slack/install or /slack/oauth_redirect, to Bolt's OAuth flow (bot/oauth.py). Its
    query (a one-time code and the state) is never logged."""
    new_correlation_id()
    started = time.perf_counter()
    step = "oauth_install" if environ.get("PATH_INFO") == slack.app.oauth_flow.install_path else "oauth_redirect"
    environ = dict(environ, CONTENT_LENGTH="0", **{"wsgi.input": io.BytesIO(b"")})  # a GET's body is nothing to read

    def counted(status: str, headers: list, *rest: Any) -> Any:
        code = _status_code(status)
        metrics.REQUESTS.labels(step, code).inc()
        seconds = time.perf_counter() - started
        log.info("%s answered %s in %.0f ms", step, code, seconds * 1000,
                 extra={"kind": step, "status": int(code), "duration_ms": round(seconds * 1000, 1)})
        return start_response(status, headers, *rest)

    try:
        return slack(environ, counted)
    except Exception as err:  # noqa: BLE001 - the installer sees a plain line, the log the error's type
        log.error("the install flow failed (%s)", type(err).__name__)
        return _plain(counted, "500 Internal Server Error", "canishare could not be installed just now; try again\n")


def _drain(stream: Any, length: int) -> None:
    while length > 0:
        chunk = stream.read(min(length, 64 * 1024))
        if not chunk:
            return
        length -= len(chunk)


def _slack_request(environ: dict[str, Any], start_response: Callable[..., Any], kind: list,
                   slack: SlackRequestHandler, verifier: SignatureVerifier, bad_signatures: "_BadSignatures") -> Iterable[bytes]:
    """Verify and hand one POST /slack/events to Bolt (kind[0] is set for the metrics, or left
    None with the body in kind[1] for `counted` to tell)."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _plain(start_response, "400 Bad Request", "bad length\n")
    if length > MAX_BODY:
        _drain(environ["wsgi.input"], min(length, DRAIN_LIMIT))
        return _plain(start_response, "413 Content Too Large", "too large\n")
    body = environ["wsgi.input"].read(length) if length else b""
    # A JSON body's kind costs nothing to tell; a form body's is read after Bolt parsed it
    # (_note_kind), or from the body here if it never gets that far.
    kind[:] = [request_kind(body)] if body.startswith(b"{") else [None, body]
    headers = {"x-slack-signature": environ.get("HTTP_X_SLACK_SIGNATURE", ""),
               "x-slack-request-timestamp": environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")}
    try:
        body.decode("utf-8")  # Slack always sends UTF-8; the verifier below needs it too
    except UnicodeDecodeError:
        unsigned = not (headers["x-slack-signature"] and headers["x-slack-request-timestamp"])
        return _plain(start_response, "401 Unauthorized" if unsigned else "400 Bad Request", "not UTF-8\n")
    # Checked here, before anything is parsed, and only here: Bolt's own check is turned off
    # (bot/app.py, request_verification_enabled=False) so a click is not verified twice.
    signed = _plausible(headers)
    try:
        signed = signed and verifier.is_valid_request(body, headers)
    except Exception:  # noqa: BLE001 - whatever bytes a header holds, it is a 401, never a 500
        signed = False
    if not signed:
        bad_signatures.seen()
        return _plain(start_response, "401 Unauthorized", "invalid request\n")
    environ["wsgi.input"] = io.BytesIO(body)
    try:
        return slack(environ, start_response)
    except Exception:  # noqa: BLE001 - a malformed payload is the sender's fault, never a 500
        log.warning("could not handle a request (malformed payload)")
        return _plain(start_response, "400 Bad Request", "malformed request\n")



def serve_http(settings: Settings | None, secrets: Secrets, db_url: str | None, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"0.0.0.0:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", threads)
            self.cfg.set("timeout", 30)
            self.cfg.set("graceful_timeout", 5)
            self.cfg.set("accesslog", None)  # access lines carry nothing useful and Slack ids in URLs
            self.cfg.set("loglevel", "warning")

        def load(self):
            # Built in each worker: one engine, one Bolt app and one ticker per process.
            db = Database(db_url, pool_size=pool_size(threads))
            metrics.watch_database(db)
            bolt = build_app(settings, secrets, db)
            start_background(bolt, db)  # the delivery loop (undelivered items from before a restart go at once), the ticker
            return wsgi_app(bolt, db, secrets.signing_secret)

    Server().run()


def serve_socket_mode(settings: Settings | None, secrets: Secrets, db_url: str | None) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    db = Database(db_url, pool_size=pool_size(10))  # Socket Mode's handler threads
    metrics.watch_database(db)
    bolt = build_app(settings, secrets, db)
    start_background(bolt, db)
    SocketModeHandler(bolt, secrets.app_token).start()
