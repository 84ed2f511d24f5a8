"""Shared steps for the per-feature listener tests: a conversation brought to a question or
an outcome through the services, without any other feature's listeners."""
from __future__ import annotations

from typing import Any

from tests.conftest import PSEUDONYM_KEY


def message(channel: str, blocks: list[dict] | None = None, ts: str = "1700000000.000100") -> dict[str, Any]:
    return {"channel": channel, "ts": ts, "text": "", "blocks": blocks or []}


def decided(deps, user_id: str, answers: list[tuple[str, str]]):
    """A conversation walked through `answers` ((node, answer) pairs) by the services, with any
    escalation its outcome declares opened as the conversation listener would."""
    from bot import conversations

    started = conversations.start(deps.db, workspace="T0TEST", user_id=user_id, team="early-help", policy="hmg-2008",
                                  channel_id=None)
    convo_id = started.conversation.id
    result = started
    for node, answer in answers:
        def plan(s, r):
            if r.kind != "outcome":
                return []
            return deps.escalations.open_for_outcome(s, record=r.record, conversation_id=convo_id, user_id=user_id,
                                                     team_id=r.conversation.team, outcome=r.outcome)

        result = conversations.answer(deps.db, conversation_id=convo_id, user_id=user_id, node_id=node, answer=answer,
                                      pseudonym_key=PSEUDONYM_KEY, plan=plan)
    return convo_id, result
