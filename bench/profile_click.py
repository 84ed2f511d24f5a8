"""Where a click's CPU goes: the real WSGI app in this process, one thread, under pyinstrument.

    python -m bench.profile_click [--clicks N] [--out bench/profile-click.txt]

Builds the bot exactly as a gunicorn worker does (Database, build_app, wsgi_app) against an
SQLite file and the fake Slack (run in a background thread), but gives Bolt an executor that
runs each listener inline, so the whole click (signature checks, Bolt dispatch, database,
Block Kit, the Slack Web API calls) happens on the profiled thread. Walks are started with a
signed /canishare; the clicks' payloads are built from the conversations read back from the
database (the question's node), with the blocks the bot renders for it.
"""
from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import Executor, Future
from pathlib import Path

from .common import BOT_TOKEN, CONFIG, PSEUDONYM_KEY, SIGNING_SECRET, click_body, command_body, signed_headers
from .fakeslack import WORKSPACE, FakeSlack
from .loadgen import WALKS


class InlineExecutor(Executor):
    def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:  # noqa: BLE001
            future.set_exception(err)
        return future


def _fake_in_thread() -> FakeSlack:
    ready = threading.Event()
    holder: dict = {}

    def run() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        holder["fake"] = loop.run_until_complete(FakeSlack().start())
        ready.set()
        loop.run_forever()

    threading.Thread(target=run, daemon=True).start()
    ready.wait(10)
    return holder["fake"]


def _call(app, body: bytes) -> int:
    headers = signed_headers(body)
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "QUERY_STRING": "", "CONTENT_TYPE": headers["Content-Type"],
        "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body), "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
        "HTTP_X_SLACK_SIGNATURE": headers["X-Slack-Signature"], "HTTP_X_SLACK_REQUEST_TIMESTAMP": headers["X-Slack-Request-Timestamp"],
    }
    status = {}

    def start_response(s, _h, _exc=None):
        status["s"] = int(s.split()[0])

    b"".join(app(environ, start_response))
    return status["s"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clicks", type=int, default=400)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()

    import yaml
    from pyinstrument import Profiler
    from sqlalchemy import select

    fake = _fake_in_thread()
    tmp = Path(tempfile.mkdtemp(prefix="canishare-profile-"))
    cfg = tmp / "canishare.yml"
    cfg.write_text(yaml.safe_dump(CONFIG))
    os.environ.update({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake.url,
                       "CANISHARE_PSEUDONYM_KEY": PSEUDONYM_KEY, "CANISHARE_CONFIG": str(cfg)})

    from bot import blocks as B
    from bot.app import build_app
    from bot.config import load_secrets, load_settings
    from bot.server import wsgi_app
    from conversation.flow import flow_for_ref
    from storage.db import Database
    from storage.models import Conversation

    db = Database(f"sqlite:///{tmp / 'profile.db'}")
    db.migrate()
    secrets = load_secrets()
    bolt = build_app(load_settings(), secrets, db)
    inline = InlineExecutor()
    bolt._listener_runner.listener_executor = inline  # type: ignore[attr-defined]
    bolt._listener_runner.lazy_listener_runner.executor = inline  # type: ignore[attr-defined]
    app = wsgi_app(bolt, db, secrets.signing_secret)

    def current(user: str) -> tuple[str, str, str] | None:
        with db.sessions() as s:
            convo = s.execute(select(Conversation).where(Conversation.user_id == user, Conversation.status == "active")
                              .order_by(Conversation.created_at.desc()).limit(1)).scalar_one_or_none()
            return (convo.id, convo.state, convo.policy) if convo else None

    def click(user: str, answer: str, n: int) -> bool:
        found = current(user)
        if not found:
            return False
        conversation_id, node_id, policy = found
        node = flow_for_ref(policy).pack.nodes[node_id]
        message = {"channel": "D" + user[1:], "ts": f"1700000000.{n:06d}", "text": B.question_text(node, 1),
                   "blocks": B.to_dicts(B.question_blocks(conversation_id, node, 1, can_go_back=False))}
        value = B.node_value(conversation_id, node_id)
        return _call(app, click_body(user, WORKSPACE, message, f"answer_{answer}", value)) == 200

    def run(clicks: int, profiler: Profiler | None) -> tuple[int, float]:
        done, n, t0 = 0, 0, time.perf_counter()
        while done < clicks:
            user = f"U0PROF{n % 7:03d}"
            if profiler:
                profiler.start()
            _call(app, command_body(user, WORKSPACE))
            for answer in WALKS[3]:  # the longest walk: seven clicks, then the outcome
                done += click(user, answer, n)
                n += 1
            if profiler:
                profiler.stop()
        return done, time.perf_counter() - t0

    run(30, None)  # warm up: imports, first connections, caches
    done, seconds = run(args.clicks // 2, None)
    unprofiled = seconds / done
    profiler = Profiler(interval=0.0005)
    done, seconds = run(args.clicks, profiler)
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    header = (f"# one thread, inline listener executor: {unprofiled * 1000:.2f} ms wall per click unprofiled "
              f"(commands included, 1 per 7 clicks)\n")
    report = header + text
    if args.out:
        Path(args.out).write_text(report)
    print(report)
    print(f"PER_CLICK_MS={unprofiled * 1000:.3f}", file=sys.stderr)
    os._exit(0)


if __name__ == "__main__":
    main()
