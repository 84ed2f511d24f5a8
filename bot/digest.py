"""The weekly digest as a service: the figures (storage.digest.compute_digest) for the week
to now. Rendering and posting are bot/digest_blocks.py; the weekly task is
bot/scheduled_tasks.py, beside the ticker."""
from __future__ import annotations

from datetime import datetime, timezone

from storage.db import Database
from storage.digest import compute_digest

from .config import Settings


def digest_labels(settings: Settings) -> dict[str, dict[str, str]]:
    """Names for the ids the digest counts by: team id -> team name, node id -> question."""
    from policy import PackError, load_pack

    questions: dict[str, str] = {}
    for pack in dict.fromkeys([settings.policy, *(t.policy for t in settings.teams if t.policy)]):
        try:
            for node in load_pack(pack).nodes.values():
                questions.setdefault(node.id, node.question)
        except PackError:
            continue
    return {"teams": {t.id: t.name for t in settings.teams}, "nodes": questions}


def this_week(settings: Settings, db: Database, now: datetime | None = None) -> dict:
    now = now or datetime.now(timezone.utc)
    with db.read_only() as s:
        return compute_digest(s, now, settings.digest.zone)
