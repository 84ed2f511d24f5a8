"""The conversation as a state machine over a row.

One `transitions.Machine` per policy pack per process, built from the pack with
`model=None`. Its events are fired on whatever object holds the conversation's state
(the database row in production), so no conversation is ever added to the machine and
nothing grows per conversation. No Slack here, and no database either: the caller loads
and saves the row.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from transitions import Machine, MachineError

from policy import Pack, load_pack
from policy.pack import Node, Outcome


class ConversationState(Protocol):
    state: str
    path: list[dict[str, str]]


class AnswerRefused(Exception):
    """The answer does not apply to where the conversation is now."""


class AlreadyAnswered(AnswerRefused):
    """This question was answered before; `previous` is what was answered."""

    def __init__(self, node: str, previous: str | None):
        super().__init__(f"question {node!r} was already answered")
        self.node = node
        self.previous = previous


class NotOffered(AnswerRefused):
    """The current question does not offer this answer."""


class Finished(AnswerRefused):
    """The conversation has reached its outcome."""


@dataclass(frozen=True)
class Step:
    """What happened on an answer: where the conversation went."""

    answered: Node
    answer: str
    now_at: str
    outcome: Outcome | None


class Flow:
    """The flowchart of one pack, as a shared machine."""

    def __init__(self, pack: Pack):
        self.pack = pack
        self.machine = Machine(
            model=None,
            states=list(pack.nodes) + list(pack.outcomes),
            initial=pack.start,
            auto_transitions=False,
            ignore_invalid_triggers=False,
            model_attribute="state",
        )
        for node in pack.nodes.values():
            for ans in node.answers.values():
                self.machine.add_transition(ans.answer, source=node.id, dest=ans.to)

    # --- questions about a conversation -------------------------------------------------
    def question(self, convo: ConversationState) -> Node | None:
        return self.pack.nodes.get(convo.state)

    def allowed_answers(self, convo: ConversationState) -> list[str]:
        if convo.state not in self.pack.nodes:
            return []
        return [t for t in self.machine.get_triggers(convo.state) if t in self.pack.nodes[convo.state].answers]

    def outcome(self, convo: ConversationState) -> Outcome | None:
        return self.pack.outcomes.get(convo.state)

    def ground(self, convo: ConversationState) -> str | None:
        """The ground for sharing without consent: named by the answer that led there."""
        if convo.state != "share_without_consent" or not convo.path:
            return None
        last = convo.path[-1]
        return self.pack.nodes[last["node"]].answers[last["answer"]].ground

    def unsure_at(self, convo: ConversationState) -> str | None:
        for step in convo.path:
            if step["answer"] == "not_sure":
                return step["node"]
        return None

    def reasons(self, convo: ConversationState) -> list[tuple[Node, str]]:
        """The path as (question, answer) pairs, for "because you answered"."""
        return [(self.pack.nodes[s["node"]], s["answer"]) for s in convo.path]

    # --- changing a conversation ----------------------------------------------------------
    def start(self, convo: Any) -> None:
        self.machine.set_state(self.pack.start, model=convo)
        convo.path = []

    def answer(self, convo: ConversationState, node_id: str, answer: str) -> Step:
        """Answer `node_id` with `answer`. Refuses stale or foreign answers, changes nothing then."""
        if convo.state != node_id:
            previous = next((s["answer"] for s in convo.path if s["node"] == node_id), None)
            if previous is not None:
                raise AlreadyAnswered(node_id, previous)
            raise NotOffered(f"{node_id!r} is not the question this conversation is at")
        if node_id not in self.pack.nodes:
            raise Finished(f"the conversation has reached {convo.state!r}")
        event = self.machine.events.get(answer)
        if event is None:
            raise NotOffered(f"{answer!r} is not an answer")
        try:
            event.trigger(convo)
        except MachineError as err:
            raise NotOffered(str(err)) from None
        convo.path = [*convo.path, {"node": node_id, "answer": answer}]
        return Step(self.pack.nodes[node_id], answer, convo.state, self.pack.outcomes.get(convo.state))

    def back(self, convo: ConversationState) -> Node | None:
        """Take back the last answer; returns the question asked again (None at the start)."""
        if not convo.path:
            return None
        last = convo.path[-1]
        self.machine.set_state(last["node"], model=convo)
        convo.path = convo.path[:-1]
        return self.pack.nodes[last["node"]]

    def back_to(self, convo: ConversationState, node_id: str) -> Node:
        """Change an earlier answer: rewind to `node_id`, dropping it and every later answer."""
        index = next((i for i, s in enumerate(convo.path) if s["node"] == node_id), None)
        if index is None:
            raise NotOffered(f"{node_id!r} was not answered in this conversation")
        self.machine.set_state(node_id, model=convo)
        convo.path = convo.path[:index]
        return self.pack.nodes[node_id]


@lru_cache(maxsize=None)
def flow_for(pack_name: str) -> Flow:
    """The one Flow per pack in this process."""
    return Flow(load_pack(pack_name))


def flow_for_ref(ref: str) -> Flow:
    """The Flow for a stored `<id>@<version>`; the version must be the one loaded."""
    pack_id, _, version = ref.partition("@")
    flow = flow_for(pack_id)
    if version and str(flow.pack.version) != version:
        raise LookupError(f"conversation uses {ref}, but this server has {flow.pack.ref}")
    return flow
