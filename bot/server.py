"""Serving: the WSGI app (Slack events + health check), gunicorn, or Socket Mode."""
from __future__ import annotations

import logging
from typing import Any, Callable, Iterable

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from storage.db import Database

from .app import build_app
from .config import Secrets, Settings
from .messenger import Messenger
from .scheduler import Ticker

log = logging.getLogger("canishare.server")


def wsgi_app(bolt: App, db: Database) -> Callable[..., Iterable[bytes]]:
    slack = SlackRequestHandler(bolt, path="/slack/events")

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        return slack(environ, start_response)

    return application


def scheduled_tasks(bolt: App, db: Database) -> list[Callable]:
    deps = bolt.canishare_deps  # type: ignore[attr-defined]
    messenger = Messenger(bolt.client, db)

    def escalation_reminders(now):
        return deps.escalations.remind_due(messenger, now)

    def outbox(now):
        return messenger.flush_outbox(now)

    tasks: list[Callable] = [escalation_reminders, outbox]
    extra = getattr(bolt, "canishare_tasks", None)
    if extra:
        tasks += extra(messenger)
    return tasks


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
            Ticker(db, scheduled_tasks(bolt, db)).start()
            return wsgi_app(bolt, db)

    Server().run()


def serve_socket_mode(settings: Settings, secrets: Secrets, db_url: str | None) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    db = Database(db_url)
    bolt = build_app(settings, secrets, db)
    Ticker(db, scheduled_tasks(bolt, db)).start()
    SocketModeHandler(bolt, secrets.app_token).start()
