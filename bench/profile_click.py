"""Where a click's CPU goes: the real WSGI app in this process, one thread, under pyinstrument.

    python -m bench.profile_click [--clicks N] [--out bench/profile-click.txt] [--all] [--database-url URL]

Builds the bot exactly as a gunicorn worker does (Database, build_app, wsgi_app) against an
SQLite file and the fake Slack (in a child process), but gives Bolt an executor that
runs each listener inline, so the whole click (signature checks, Bolt dispatch, database,
Block Kit, the Slack Web API calls) happens on the profiled thread. Walks are started with a
signed /canishare; the clicks' payloads are built from the conversations read back from the
database (the question's node), with the blocks the bot renders for it.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import Executor, Future
from pathlib import Path

from .common import (
    BOT_TOKEN,
    CONFIG,
    PSEUDONYM_KEY,
    ROOT,
    SIGNING_SECRET,
    click_body,
    command_body,
    signed_headers,
)
from .fakeslack import WORKSPACE
from .loadgen import WALKS


class InlineExecutor(Executor):
    def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:  # noqa: BLE001
            future.set_exception(err)
        return future


def _fake_process() -> tuple[subprocess.Popen, str]:
    """The fake Slack in its own process, so its work is not profiled (nor competes for our GIL)."""
    proc = subprocess.Popen([sys.executable, "-m", "bench.fakeslack"], stdout=subprocess.PIPE, text=True,
                            cwd=str(ROOT), start_new_session=True)
    url = proc.stdout.readline().strip()  # type: ignore[union-attr]
    if not url:
        raise SystemExit("profile_click: the fake Slack did not start")
    return proc, url


def _call(app, body: bytes) -> int:
    headers = signed_headers(body)
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "QUERY_STRING": "", "CONTENT_TYPE": headers["Content-Type"],
        "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body), "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_SLACK_SIGNATURE": headers["X-Slack-Signature"], "HTTP_X_SLACK_REQUEST_TIMESTAMP": headers["X-Slack-Request-Timestamp"],
    }
    status = {}

    def start_response(s, _h, _exc=None):
        status["s"] = int(s.split()[0])

    b"".join(app(environ, start_response))
    return status["s"]


CATEGORIES = (
    ("Slack Web API calls (slack_sdk, urllib)", lambda f: "slack_sdk/web/" in f.file_path and f.function.startswith(("chat_", "views_", "api_call"))),
    ("Block Kit to dicts (slack_sdk models)", lambda f: f.file_path.endswith("bot/blocks.py") and f.function == "to_dicts"),
    ("database (bot/conversations.py: SQLAlchemy, SQLite)", lambda f: f.file_path.endswith("bot/conversations.py") and f.function in ("answer", "start", "current", "first_time")),
)


def _shares(profiler, total_wall: float) -> dict[str, float]:
    """Fraction of the profiled time in each category (outermost matching frame counted once)."""
    root = profiler.last_session.root_frame() if hasattr(profiler, "last_session") else None
    if root is None:
        return {}
    sums = {name: 0.0 for name, _ in CATEGORIES}

    def visit(frame) -> None:
        for name, match in CATEGORIES:
            try:
                if match(frame):
                    sums[name] += frame.time
                    return
            except (AttributeError, TypeError):
                break
        for child in frame.children:
            visit(child)

    visit(root)
    total = root.time or 1.0
    out = {name: value / total for name, value in sums.items()}
    out["the rest (Bolt dispatch, signature checks, payload parsing, building blocks)"] = max(0.0, 1 - sum(out.values()))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clicks", type=int, default=400)
    parser.add_argument("--out", default=None)
    parser.add_argument("--database-url", default=None,
                        help="an empty PostgreSQL database to profile on (default: a new SQLite file)")
    parser.add_argument("--all", action="store_true", help="show every frame (Bolt, SQLAlchemy, slack_sdk) in the tree")
    args = parser.parse_args()

    import yaml
    from pyinstrument import Profiler
    from sqlalchemy import select

    fake_proc, fake_url = _fake_process()
    tmp = Path(tempfile.mkdtemp(prefix="canishare-profile-"))
    cfg = tmp / "canishare.yml"
    cfg.write_text(yaml.safe_dump(CONFIG))
    os.environ.update({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake_url,
                       "CANISHARE_PSEUDONYM_KEY": PSEUDONYM_KEY, "CANISHARE_CONFIG": str(cfg)})

    from bot import blocks as B
    from bot.ids import QuestionRef
    from bot.app import build_app
    from bot.config import load_secrets, load_settings
    from bot.server import wsgi_app
    from conversation.flow import flow_for_ref
    from storage.db import Database
    from storage.models import Conversation

    db = Database(args.database_url or f"sqlite:///{tmp / 'profile.db'}", pool_size=8)
    db.migrate()
    secrets = load_secrets()
    bolt = build_app(load_settings(), secrets, db)
    inline = InlineExecutor()
    bolt._listener_runner.listener_executor = inline  # type: ignore[attr-defined]
    bolt._listener_runner.lazy_listener_runner.executor = inline  # type: ignore[attr-defined]
    app = wsgi_app(bolt, db, secrets.signing_secret)

    def current(user: str) -> tuple[str, str, str] | None:
        with db.read_only() as s:
            convo = s.execute(select(Conversation).where(Conversation.user_id == user, Conversation.status == "active")
                              .order_by(Conversation.created_at.desc()).limit(1)).scalar_one_or_none()
            return (convo.id, convo.state, convo.policy) if convo else None

    # CPU time of this thread as well as wall time: on a machine other work keeps busy, the
    # CPU a click costs is the steadier figure to compare two versions by.
    spent = {"click": 0.0, "command": 0.0, "clicks": 0, "commands": 0, "click_cpu": 0.0, "command_cpu": 0.0}
    profiler: Profiler | None = None

    def timed(kind: str, body: bytes) -> int:
        """Only the app's own work is timed and profiled, not building the payloads."""
        if profiler:
            profiler.start()
        t0, c0 = time.perf_counter(), time.thread_time()
        status = _call(app, body)
        spent[kind] += time.perf_counter() - t0
        spent[kind + "_cpu"] += time.thread_time() - c0
        spent[kind + "s"] += 1
        if profiler:
            profiler.stop()
        return status

    def click(user: str, answer: str, n: int) -> bool:
        found = current(user)
        if not found:
            return False
        conversation_id, node_id, policy = found
        node = flow_for_ref(policy).pack.nodes[node_id]
        message = {"channel": "D" + user[1:], "ts": f"1700000000.{n:06d}", "text": B.question_text(node, 1),
                   "blocks": B.to_dicts(B.question_blocks(conversation_id, node, 1, can_go_back=False))}
        value = QuestionRef(conversation_id, node_id).encode()
        return timed("click", click_body(user, WORKSPACE, message, f"answer_{answer}", value)) == 200

    def run(clicks: int) -> None:
        for key in spent:
            spent[key] = 0
        done, n = 0, 0
        while done < clicks:
            if n > 4 * clicks + 50:
                raise SystemExit("profile_click: clicks are not being accepted")
            user = f"U0PROF{n % 7:03d}"
            timed("command", command_body(user, WORKSPACE))
            for answer in WALKS[3]:  # the longest walk: seven clicks, then the outcome
                done += click(user, answer, n)
                n += 1

    run(30)  # warm up: imports, first connections, caches
    run(args.clicks // 2)
    per_click = spent["click"] / spent["clicks"]
    per_command = spent["command"] / spent["commands"]
    cpu_click, cpu_command = spent["click_cpu"] / spent["clicks"], spent["command_cpu"] / spent["commands"]
    profiler = Profiler(interval=0.0005)
    run(args.clicks)
    text = profiler.output_text(unicode=True, color=False, show_all=args.all)
    shares = _shares(profiler, spent["click"] + spent["command"])
    report = (f"# One thread, Bolt's listener executor replaced by an inline one; the fake Slack in another process.\n"
              f"# Unprofiled wall time inside the WSGI app: {per_click * 1000:.2f} ms per click, "
              f"{per_command * 1000:.2f} ms per /canishare (one per 7 clicks); CPU time of the thread: "
              f"{cpu_click * 1000:.2f} ms per click, {cpu_command * 1000:.2f} ms per /canishare.\n"
              f"# Share of the app's time: " + ", ".join(f"{k} {v:.0%}" for k, v in shares.items()) + "\n"
              f"# Profile of {spent['clicks']} clicks and {spent['commands']} commands (app time only):\n")
    report += text
    if args.out:
        Path(args.out).write_text(report)
    print(report)
    print("RESULT=" + json.dumps({"per_click_ms": per_click * 1000, "per_command_ms": per_command * 1000,
                                  "cpu_per_click_ms": cpu_click * 1000, "cpu_per_command_ms": cpu_command * 1000,
                                  "shares": shares}),
          file=sys.stderr)
    fake_proc.terminate()
    fake_proc.wait(5)
    os._exit(0)


if __name__ == "__main__":
    main()
