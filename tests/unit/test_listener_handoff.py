"""bot.listeners.acked: the ack is sent from the request thread, and the work runs on Bolt's
listener executor with the request's own payload (not a deep copy, as a lazy listener gets)."""
from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

from slack_bolt import App, BoltRequest
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient

from bot.listeners import Deps, acked
from tests.slackreq import SIGNING_SECRET, sign


class _NoDeps(Deps):
    def __init__(self) -> None:  # only resolve() is used by acked
        pass


def _click(app: App, action_id: str) -> tuple[BoltRequest, int]:
    payload = {"type": "block_actions", "team": {"id": "T0TEST1"}, "user": {"id": "U0PRACT1"}, "api_app_id": "A0APP",
               "container": {"type": "message", "channel_id": "D0DM", "message_ts": "1.2"}, "channel": {"id": "D0DM"},
               "message": {"ts": "1.2", "text": "question", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "q"}}]},
               "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": "v1", "action_ts": "1.3"}],
               "trigger_id": "1.4"}
    body = urlencode({"payload": json.dumps(payload)})
    req = BoltRequest(body=body, headers={**sign(body.encode()), "Content-Type": "application/x-www-form-urlencoded"})
    return req, app.dispatch(req).status


def _app(executor) -> App:
    def authorize(enterprise_id, team_id, **_):  # no Slack to ask: the installation is known
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token="xoxb-test", bot_user_id="U0BOT")

    return App(signing_secret=SIGNING_SECRET, client=WebClient(base_url="http://127.0.0.1:9/"), authorize=authorize,
               process_before_response=True, listener_executor=executor, request_verification_enabled=False)


def test_the_work_gets_the_requests_own_payload_on_an_executor_thread():
    executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="handoff-test")
    app = _app(executor)
    seen: dict = {}
    done = threading.Event()

    def work(deps, body, client, action, event):
        seen.update(body=body, action=action, event=event, thread=threading.current_thread().name, client=client)
        done.set()

    acked(_NoDeps(), app.action("answer_yes"), work)
    req, status = _click(app, "answer_yes")
    assert status == 200
    assert done.wait(5), "the work never ran"
    assert seen["thread"].startswith("handoff-test")  # not the request thread
    assert seen["body"] is req.body  # the very payload Bolt parsed: nothing was deep-copied
    assert seen["action"]["value"] == "v1" and seen["event"] == {}
    assert isinstance(seen["client"], WebClient)
    # acked registers no lazy listener: Bolt has nothing to copy and re-inject
    assert all(not listener.lazy_functions for listener in app._listeners)
    executor.shutdown(wait=True)


def test_a_failing_work_is_told_to_the_person_and_does_not_break_the_ack():
    executor = ThreadPoolExecutor(max_workers=1)
    app = _app(executor)
    told: list = []

    class Told(_NoDeps):
        def messenger(self, client):
            class M:
                def ephemeral(self, channel, user, text, *a, **k):
                    told.append((channel, user, text))
            return M()

    def work(deps, **_):
        raise RuntimeError("boom")

    acked(Told(), app.action("answer_no"), work)
    _, status = _click(app, "answer_no")
    assert status == 200
    executor.shutdown(wait=True)
    assert told and told[0][:2] == ("D0DM", "U0PRACT1") and "went wrong" in told[0][2]


def test_an_error_escaping_the_work_is_logged_by_type_not_lost(caplog):
    executor = ThreadPoolExecutor(max_workers=1)
    app = _app(executor)

    class Flaky:
        """Resolves for the ack, then fails in the work (as the control database going down would)."""
        calls = 0

        def resolve(self, context):
            Flaky.calls += 1
            if Flaky.calls > 1:
                raise RuntimeError("control database gone: U0PRACT1's details")
            return _NoDeps()

    acked(Flaky(), app.action("answer_yes"), lambda deps, **_: None)
    with caplog.at_level("ERROR", logger="canishare.listeners"):
        _, status = _click(app, "answer_yes")
        executor.shutdown(wait=True)
    assert status == 200
    failed = [r for r in caplog.records if r.name == "canishare.listeners"]
    assert [r.getMessage() for r in failed] == ["listener work failed: RuntimeError"]  # its type, never its text
