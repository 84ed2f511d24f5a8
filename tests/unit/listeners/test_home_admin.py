"""bot/listeners/home_admin.py alone: App Home, the admins' buttons, lifecycle events."""
from __future__ import annotations

import time

from bot.admin import REFUSAL
from bot.ids import Action
from bot.listeners import home_admin
from tests.slackreq import buttons

from .helpers import message


def home(f, user_id: str) -> dict:
    mark = f.fake.mark()
    f.slack.event({"type": "app_home_opened", "user": user_id, "channel": "D" + user_id[1:], "tab": "home"})
    return f.fake.wait_for("views.publish", since=mark, user_id=user_id)[0].args["view"]


def test_home_shows_admins_their_buttons_and_others_only_start(feature):
    f = feature(home_admin)
    assert {Action.ADMIN_POST_DIGEST, Action.ADMIN_EXPORT, Action.START} <= set(buttons(home(f, "U0ADMIN1")["blocks"]))
    assert set(buttons(home(f, "U0PRACT1")["blocks"])) == {Action.START}


def test_a_non_admin_gets_no_export(feature):
    f = feature(home_admin)
    for action in (Action.ADMIN_EXPORT, Action.ADMIN_POST_DIGEST):
        mark = f.fake.mark()
        f.slack.action("U0PRACT1", message("D0PRACT1"), action, value="x")
        assert REFUSAL in str(f.fake.wait_for("chat.postMessage", since=mark, channel="U0PRACT1")[0].args["blocks"])
    time.sleep(0.2)
    assert not f.fake.calls_to("files.getUploadURLExternal")


def test_an_admin_gets_the_export_in_their_dm(feature):
    f = feature(home_admin)
    mark = f.fake.mark()
    f.slack.action("U0ADMIN1", message("D0ADMIN1"), Action.ADMIN_EXPORT, value="csv")
    assert f.fake.wait_for("files.completeUploadExternal", since=mark)[0].args.get("channel_id") == "D0ADMIN1"


def test_revoked_bot_tokens_tell_the_admins(feature):
    f = feature(home_admin)
    mark = f.fake.mark()
    f.slack.event({"type": "tokens_revoked", "tokens": {"bot": ["U0BOT"]}})
    assert f.fake.wait_for("chat.postMessage", since=mark, channel="U0ADMIN1")[0].args["text"] == "canishare was disconnected"
