"""A practitioner (or lead) in Slack, driving the real server through the fake."""
from __future__ import annotations

import json
from typing import Any

from tests.conftest import Server
from tests.slackreq import buttons

DESIGN_LABELS = {"yes": "Yes", "no": "No", "not_sure": "Not sure"}


class Person:
    def __init__(self, server: Server, user: str):
        self.server = server
        self.user = user
        self.fake = server.fake

    @property
    def dm(self) -> set[str]:
        """The DM, as the bot may name it: the user id or the D-channel id."""
        return {self.user, "D" + self.user[1:]}

    def dm_posts(self, since: int) -> list[Any]:
        return self.fake.calls_to_since("chat.postMessage", since, channel=self.dm)

    def next_post(self, since: int, timeout: float = 10) -> dict[str, Any]:
        """The next message the bot posts to this person's DM after `since`."""
        return self.fake.wait_for("chat.postMessage", since=since, channel=self.dm, timeout=timeout)[0].message

    def next_question(self, since: int, timeout: float = 10) -> dict[str, Any]:
        """The first message with buttons (a question, or the team picker) posted to this
        person's DM after `since`, passing over notices without buttons (such as "your lead
        has your request") that an earlier walk may still be sending."""
        count = 1
        while True:
            calls = self.fake.wait_for("chat.postMessage", count=count, since=since, channel=self.dm, timeout=timeout)
            for call in calls[count - 1:]:
                if buttons(call.message.get("blocks") or []):
                    return call.message
            count = len(calls) + 1

    def start(self) -> dict[str, Any]:
        mark = self.fake.mark()
        reply = self.server.slack.command(self.user)
        assert reply.status == 200, reply
        return self.next_question(mark)

    def click(self, message: dict[str, Any], action_id: str, **kw: Any) -> int:
        mark = self.fake.mark()
        reply = self.server.slack.action(self.user, message, action_id, **kw)
        assert reply.status == 200, reply
        return mark

    def answer(self, message: dict[str, Any], answer: str) -> dict[str, Any]:
        """Click an answer and return the next message (question or outcome)."""
        labels = buttons(message["blocks"])
        assert labels[f"answer_{answer}"] == DESIGN_LABELS[answer]
        mark = self.click(message, f"answer_{answer}")
        return self.next_question(mark)

    def walk(self, answers: list[str]) -> dict[str, Any]:
        message = self.start()
        for answer in answers:
            message = self.answer(message, answer)
        return message


def node_of(message: dict[str, Any]) -> str:
    """Which question a posted question message asks (from its buttons' value)."""
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if isinstance(element, dict) and element.get("action_id") == "answer_yes":
                return element["value"].split(":", 1)[1]
    raise AssertionError("not a question message")


def is_outcome(message: dict[str, Any]) -> bool:
    return "record_open" in buttons(message["blocks"])


def export(server: Server) -> list[dict[str, Any]]:
    out = server.cli("export", "--format", "jsonl").stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]
