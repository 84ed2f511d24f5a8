"""The floor: a bare slack-bolt App that acks a block_actions click and posts ONE message
(chat.postMessage to the clicker's DM: a question of the same size as the bot's), served
exactly as `canishare serve` serves the bot (gunicorn, gthread, same workers/threads/timeouts).
With --process-before-response it acks in the request thread and posts from a lazy listener,
as the bot does; without, one listener acks and then posts on Bolt's executor (Bolt's default).

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

from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient


def next_message() -> tuple[str, list[dict]]:
    """What the floor posts: a real question message, rendered once at start-up."""
    from bench.loadgen import sample_question_message

    message = sample_question_message()
    return message["text"], message["blocks"]


def build(before_response: bool) -> App:
    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"], timeout=10)
    logger = logging.getLogger("floor.bolt")
    logger.setLevel(logging.ERROR)
    app = App(signing_secret=os.environ["SLACK_SIGNING_SECRET"], client=client,
              process_before_response=before_response, logger=logger,
              # the bot's executor size (bot/app.py LISTENER_THREADS): Bolt's default 5 threads would
              # queue posts that wait 100 ms for Slack
              listener_executor=ThreadPoolExecutor(max_workers=32, thread_name_prefix="floor-lazy"))

    text, blocks = next_message()
    answers = re.compile(r"^answer_(yes|no|not_sure)$")  # the bot's matcher for answer clicks

    def post(body, client) -> None:
        client.chat_postMessage(channel=body["user"]["id"], text=text, blocks=blocks)

    if before_response:
        def just_ack(ack) -> None:
            ack()

        app.action(answers)(ack=just_ack, lazy=[post])
    else:
        @app.action(answers)
        def ack_and_post(ack, body, client) -> None:
            ack()
            post(body, client)

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
