"""A safeguarding lead's Claim and Resolve, on a ping or in App Home. Who may act is the
service's rule (bot/escalation.py), as are the outcomes a lead may give; the pings' blocks are bot/escalation_blocks.py."""
from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from ..escalation import PICK_ONE
from ..ids import Action, LeadAdvice, Ref, selected
from . import Deps, acked, clicked, tell, user_id_of


def on_claim(deps: Deps, body: dict, action: dict, client: WebClient, **_) -> None:
    escalation_id = Ref.decode(action.get("value", "")).id
    done = deps.escalations.claim(deps.messenger(client), escalation_id, user_id_of(body), clicked(body))
    if done.message:
        tell(deps, client, body, done.message)


def on_resolve(deps: Deps, body: dict, action: dict, client: WebClient, **_) -> None:
    advice = LeadAdvice.decode(selected(action))
    done = deps.escalations.resolve(deps.messenger(client), advice.escalation_id, user_id_of(body), advice.lead_outcome,
                                    clicked(body))
    if done.message:
        tell(deps, client, body, done.message)


def register(app: App, deps: Deps) -> None:
    acked(deps, app.action(Action.ESC_CLAIM), on_claim)
    acked(deps, app.action(Action.ESC_RESOLVE), on_resolve, bad_value=PICK_ONE)
