"""`canishare serve` with configuration experiments applied in each worker, for the benchmark.

    BENCH_VARIANT=early_ack,pool=16 python -m bench.variant_serve serve --port N [...]

It runs the real CLI (bot.cli) and the real app (bot.app.build_app); only the Bolt App it
returns is adjusted, after it is built, before the first request:

  early_ack   a global middleware acks block_actions and /canishare (with the listener's own
              reply) before Bolt hands the listener to its executor (process_before_response
              stays False): the HTTP 200 no longer waits for an executor thread, nor for the
              10 ms ack poll, because the wait loop finds ack() already done.
  pool=N      Bolt's listener executor gets N threads (Bolt's default is 5).
  pbr=0|1     process_before_response off or on, whatever build_app chose (with the
              listeners as registered: pbr=0 makes each ack wait for a thread of Bolt's
              executor, which then hands the work to another, as before the ack/work split).
  poll=MS     Bolt's ack wait loop polls every MS ms instead of 10 (a monkeypatch).
  lazy        process_before_response=True, with every button listener split into an ack
              function (ack() at once) and a lazy function (the listener as written), as
              Bolt recommends for FaaS; the command acks the same way.
  switch=MS   sys.setswitchinterval(MS / 1000): how long a thread may hold the GIL while
              others wait (CPython's default is 5 ms).
  stats       GET /_bench/stats answers this worker's pid, how many transitions.Machine
              and conversation.flow.Flow objects it has built, and flow_for.cache_info().

Nothing here is used by the bot itself.
"""
from __future__ import annotations

import json
import os
import sys
import time as _time
from concurrent.futures import ThreadPoolExecutor

COUNTS = {"machines": 0, "flows": 0}


def _options() -> dict[str, str]:
    opts = {}
    for item in filter(None, (os.environ.get("BENCH_VARIANT") or "").split(",")):
        key, _, value = item.partition("=")
        opts[key.strip()] = value.strip()
    return opts


def _count_constructions() -> None:
    import transitions

    import conversation.flow as flow_mod

    machine_init = transitions.Machine.__init__
    flow_init = flow_mod.Flow.__init__

    def counted_machine(self, *a, **kw):
        COUNTS["machines"] += 1
        machine_init(self, *a, **kw)

    def counted_flow(self, *a, **kw):
        COUNTS["flows"] += 1
        flow_init(self, *a, **kw)

    transitions.Machine.__init__ = counted_machine
    flow_mod.Flow.__init__ = counted_flow


ACK_ONLY = {"on_answer", "on_escalate", "on_back", "on_why", "on_start", "on_pick_team", "on_record_open",
            "on_claim", "on_resolve", "on_shortcut"}


def _make_lazy(app) -> None:
    from slack_bolt.util.utils import get_arg_names_of_callable

    def ack_now(ack):
        ack()

    def ack_command(ack, body):
        in_dm = (body.get("channel_name") == "directmessage") or str(body.get("channel_id", "")).startswith("D")
        ack() if in_dm else ack("I've sent you a direct message to work through it in private.")

    for listener in app._listeners:
        name = getattr(listener.ack_function, "__name__", "")
        if name in ACK_ONLY or name == "on_command":
            original = listener.ack_function
            listener.ack_function = ack_command if name == "on_command" else ack_now
            listener.arg_names = get_arg_names_of_callable(listener.ack_function)
            listener.lazy_functions = [original]
    app._process_before_response = True
    app._listener_runner.process_before_response = True


def _apply(app, opts: dict[str, str]) -> None:
    if "pbr" in opts:  # process_before_response, whatever build_app chose
        on = opts["pbr"] in ("1", "true", "yes")
        app._process_before_response = on
        app._listener_runner.process_before_response = on
    if "pool" in opts:
        pool = ThreadPoolExecutor(max_workers=int(opts["pool"]))
        app._listener_runner.listener_executor = pool
        app._listener_runner.lazy_listener_runner.executor = pool
    if "lazy" in opts:
        _make_lazy(app)
    if "early_ack" in opts:
        @app.middleware
        def ack_at_once(body, ack, next):
            if body.get("type") == "block_actions":
                ack()
            elif body.get("command") == "/canishare":  # the same answer on_command gives
                in_dm = (body.get("channel_name") == "directmessage") or str(body.get("channel_id", "")).startswith("D")
                ack() if in_dm else ack("I've sent you a direct message to work through it in private.")
            return next()


def describe() -> None:
    """Print how build_app configures Bolt today (JSON), from the same environment as serve."""
    from bot.app import build_app
    from bot.config import load_secrets, load_settings
    from storage.db import Database

    db = Database(os.environ["DATABASE_URL"])
    db.migrate()
    app = build_app(load_settings(), load_secrets(), db)
    executor = app._listener_runner.listener_executor
    print(json.dumps({
        "process_before_response": bool(app.process_before_response),
        "executor_threads": getattr(executor, "_max_workers", None),
        "listeners": len(app._listeners),
        # Acked at once, the work on the executor: bot.listeners.acked's ack (which submits the
        # work itself) or a lazy listener.
        "handoff_listeners": sum(1 for listener in app._listeners
                                 if listener.lazy_functions or getattr(listener.ack_function, "__name__", "") == "ack_now"),
    }))


def main() -> None:
    if sys.argv[1:] == ["describe"]:
        describe()
        return
    opts = _options()
    if "switch" in opts:  # the GIL's switch interval (CPython's default is 5 ms)
        sys.setswitchinterval(float(opts["switch"]) / 1000.0)
    if "poll" in opts:
        import slack_bolt.listener.thread_runner as runner

        interval = float(opts["poll"]) / 1000.0

        class _Time:
            time = staticmethod(_time.time)

            @staticmethod
            def sleep(_seconds: float) -> None:
                _time.sleep(interval)

        runner.time = _Time  # type: ignore[assignment]
    if "stats" in opts:
        _count_constructions()

    from bot import server

    real_build, real_wsgi = server.build_app, server.wsgi_app

    def build_app(settings, secrets, db):
        app = real_build(settings, secrets, db)
        _apply(app, opts)
        return app

    def wsgi_app(bolt, db, signing_secret):
        inner = real_wsgi(bolt, db, signing_secret)
        if "stats" not in opts:
            return inner

        def application(environ, start_response):
            if environ.get("PATH_INFO") == "/_bench/stats":
                from conversation.flow import flow_for

                info = flow_for.cache_info()
                body = json.dumps({"pid": os.getpid(), **COUNTS, "flow_for": {"hits": info.hits, "misses": info.misses,
                                                                            "currsize": info.currsize}}).encode()
                start_response("200 OK", [("Content-Type", "application/json"), ("Connection", "close")])
                return [body]
            return inner(environ, start_response)

        return application

    server.build_app = build_app
    server.wsgi_app = wsgi_app

    from bot.cli import main as cli

    sys.argv[0] = "canishare"
    cli()


if __name__ == "__main__":
    main()
