"""One feature's listeners alone: a Bolt app with only that module registered, driven by
signed requests (tests/slackreq.py) dispatched in-process, talking to the fake Slack Web API."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator
from urllib.parse import urlencode

import json
import pytest
from slack_bolt import App
from slack_bolt.request import BoltRequest

from tests.conftest import BOT_TOKEN, PSEUDONYM_KEY, TEST_CONFIG
from tests.fakeslack import FakeSlack
from tests.slackreq import SIGNING_SECRET, Reply, SlackSender, sign


class InProcessSender(SlackSender):
    """SlackSender's payloads, signed, handed to app.dispatch instead of over HTTP."""

    def __init__(self, app: App):
        super().__init__("http://in-process")
        self.app = app

    def _dispatch(self, body: bytes, content_type: str, headers: dict[str, str]) -> Reply:
        resp = self.app.dispatch(BoltRequest(body=body.decode(), headers={**headers, "Content-Type": content_type}))
        return Reply(resp.status, resp.body)

    def send_form(self, fields: dict[str, str], headers: dict[str, str] | None = None, signed: bool = True) -> Reply:
        body = urlencode(fields).encode()
        return self._dispatch(body, "application/x-www-form-urlencoded", {**(sign(body) if signed else {}), **(headers or {})})

    def send_json(self, payload: dict[str, Any], headers: dict[str, str] | None = None) -> Reply:
        body = json.dumps(payload).encode()
        return self._dispatch(body, "application/json", {**sign(body), **(headers or {})})


@dataclass
class Feature:
    app: App
    deps: Any
    slack: InProcessSender
    fake: FakeSlack


@pytest.fixture
def feature(fake_slack: FakeSlack, database) -> Iterator[Callable[..., Feature]]:
    from bot.config import Settings
    from bot.config_store import ConfigStore
    from bot.delivery import Deliverer, make_delivery_client
    from bot.escalation import Escalations
    from bot.listeners import Deps, on_error
    from bot.slack_messenger import make_client

    fake_slack.reset()
    apps: list[App] = []

    def build(module, config: dict | None = None) -> Feature:
        settings = Settings(**(config or TEST_CONFIG))
        app = App(signing_secret=SIGNING_SECRET, client=make_client(BOT_TOKEN, fake_slack.url),
                  process_before_response=True, raise_error_for_unhandled_request=True)
        config = ConfigStore(database)  # the real store, as serve has it
        if not config.seed(settings):
            config.apply(settings, author="file")
        escalations = Escalations(config, database, PSEUDONYM_KEY)
        deps = Deps(config=config, db=database, pseudonym_key=PSEUDONYM_KEY, escalations=escalations,
                    deliverer=Deliverer(make_delivery_client(BOT_TOKEN, fake_slack.url), database, hooks=escalations))
        module.register(app, deps)
        app.error(on_error)
        apps.append(app)
        return Feature(app, deps, InProcessSender(app), fake_slack)

    yield build
    fake_slack.reset()
