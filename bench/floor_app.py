"""The floor: a bare slack-bolt App that only acks block_actions, served exactly as
`canishare serve` serves the bot (gunicorn, gthread, same workers/threads/timeouts).

    python -m bench.floor_app --port N [--workers W] [--threads T] [--process-before-response]

Same Bolt settings as bot/app.py (a WebClient with the token and base URL, so Bolt's
single-team authorization runs auth.test once), same WSGI adapter, and nothing else: no
database, no configuration, no second signature check.
"""
from __future__ import annotations

import argparse
import logging
import os
import re

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient


def build(before_response: bool) -> App:
    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"], timeout=10)
    logger = logging.getLogger("floor.bolt")
    logger.setLevel(logging.ERROR)
    app = App(signing_secret=os.environ["SLACK_SIGNING_SECRET"], client=client,
              process_before_response=before_response, logger=logger)

    @app.action(re.compile(r"^answer_(yes|no|not_sure)$"))  # the bot's matcher for answer clicks
    def only_ack(ack) -> None:
        ack()

    return app


def main() -> None:
    from gunicorn.app.base import BaseApplication

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--process-before-response", action="store_true")
    args = parser.parse_args()

    class Server(BaseApplication):
        def load_config(self) -> None:  # the same settings as bot/server.py serve_http
            self.cfg.set("bind", f"0.0.0.0:{args.port}")
            self.cfg.set("workers", args.workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", args.threads)
            self.cfg.set("timeout", 30)
            self.cfg.set("graceful_timeout", 5)
            self.cfg.set("accesslog", None)
            self.cfg.set("loglevel", "warning")

        def load(self):
            slack = SlackRequestHandler(build(args.process_before_response), path="/slack/events")

            def application(environ, start_response):
                if environ.get("PATH_INFO") == "/healthz":
                    start_response("200 OK", [("Content-Type", "text/plain")])
                    return [b"ok\n"]
                return slack(environ, start_response)

            return application

    Server().run()


if __name__ == "__main__":
    main()
