"""The outcomes every pack decides between (a record's `outcome` takes only these values),
and the short label each is shown with in counts, charts and a lead's advice."""
from __future__ import annotations

OUTCOMES = ("share", "share_without_consent", "do_not_share", "seek_advice", "urgent")
OUTCOME_LABELS = {
    "share": "Share",
    "share_without_consent": "Share without consent",
    "do_not_share": "Do not share",
    "seek_advice": "Seek advice",
    "urgent": "Urgent",
}
