"""Serving: the WSGI app (Slack events + health check), gunicorn, or Socket Mode."""
from __future__ import annotations

import io
import logging
from typing import Any, Callable, Iterable

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier

from storage.db import Database

from .app import build_app
from .config import Secrets, Settings
from .delivery import DeliveryLoop
from .scheduled_tasks import scheduled_tasks
from .scheduler import Ticker

log = logging.getLogger("canishare.server")


MAX_BODY = 256 * 1024  # Slack's payloads are a few kB; anything near this is not from Slack


def _plain(start_response: Callable[..., Any], status: str, text: str) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
    return [text.encode()]


def _plausible(headers: dict[str, str]) -> bool:
    """Headers shaped as Slack sends them: a timestamp of a few ASCII digits, a `v0=` hex digest."""
    ts, sig = headers.get("x-slack-request-timestamp") or "", headers.get("x-slack-signature") or ""
    return (0 < len(ts) <= 12 and ts.isascii() and ts.isdigit()
            and len(sig) <= 100 and sig.isascii() and sig.startswith("v0="))


def wsgi_app(bolt: App, db: Database, signing_secret: str) -> Callable[..., Iterable[bytes]]:
    slack = SlackRequestHandler(bolt, path="/slack/events")
    verifier = SignatureVerifier(signing_secret)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == "/healthz" and method in ("GET", "HEAD"):
            return _plain(start_response, "200 OK", "ok\n")
        if path != "/slack/events" or method != "POST":
            return _plain(start_response, "404 Not Found", "not found\n")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _plain(start_response, "400 Bad Request", "bad length\n")
        if length > MAX_BODY:
            return _plain(start_response, "413 Content Too Large", "too large\n")
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {"x-slack-signature": environ.get("HTTP_X_SLACK_SIGNATURE", ""),
                   "x-slack-request-timestamp": environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")}
        try:
            body.decode("utf-8")  # Slack always sends UTF-8; the verifier below needs it too
        except UnicodeDecodeError:
            unsigned = not (headers["x-slack-signature"] and headers["x-slack-request-timestamp"])
            return _plain(start_response, "401 Unauthorized" if unsigned else "400 Bad Request", "not UTF-8\n")
        # Checked here as well as in Bolt, so that nothing unsigned is even parsed.
        signed = _plausible(headers)
        try:
            signed = signed and verifier.is_valid_request(body, headers)
        except Exception:  # noqa: BLE001 - whatever bytes a header holds, it is a 401, never a 500
            signed = False
        if not signed:
            return _plain(start_response, "401 Unauthorized", "invalid request\n")
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            return slack(environ, start_response)
        except Exception:  # noqa: BLE001 - a malformed payload is the sender's fault, never a 500
            log.warning("could not handle a request (malformed payload)")
            return _plain(start_response, "400 Bad Request", "malformed request\n")

    return application


def serve_http(settings: Settings, secrets: Secrets, db_url: str | None, port: int, workers: int, threads: int) -> None:
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
            db = Database(db_url)
            bolt = build_app(settings, secrets, db)
            DeliveryLoop(bolt.canishare_deps.deliverer).start()  # undelivered items from before a restart go at once
            Ticker(db, scheduled_tasks(bolt, db)).start()
            return wsgi_app(bolt, db, secrets.signing_secret)

    Server().run()


def serve_socket_mode(settings: Settings, secrets: Secrets, db_url: str | None) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    db = Database(db_url)
    bolt = build_app(settings, secrets, db)
    DeliveryLoop(bolt.canishare_deps.deliverer).start()
    Ticker(db, scheduled_tasks(bolt, db)).start()
    SocketModeHandler(bolt, secrets.app_token).start()
