"""Every id canishare puts in a Slack payload, and the one codec for what its buttons carry.

Block Kit builders and listeners both use these names, so an id or a value format is written
once. The wire values are fixed: messages already posted in Slack (and tests outside this
repository) carry them, so a member's value never changes.

Value kinds (each a frozen dataclass with `encode()` and `decode()`):

| kind | carried by | wire form |
|---|---|---|
| `QuestionRef` | answer, why, back, escalate buttons; "Change my last answer" | `<conversation>:<node>` |
| `ChangeTo` | the "Change an earlier answer" menu | `<conversation>:<node>@<outcome>` |
| `LeadAdvice` | the lead's "Resolved: advice given" menu | `<escalation>:<lead outcome>` |
| `RecordForm` | the record modal's private_metadata | JSON `{"c", "ch", "ts"}` |
| `ProcedureChoice` | the "What happens next?" menu | the procedure's number |
| `Ref` | buttons carrying one id (claim, record, referral, reminders, team) | the id itself |
| `SettingsForm` | the admins' settings modals' private_metadata | JSON `{"t", "v"}` |

`decode()` raises `BadValue` on anything Slack would never send for that kind; it never
looks anything up (whether the id exists, or is the clicker's, is the service's question).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from enum import StrEnum


class BadValue(ValueError):
    """A value that is not of its kind (forged or garbled). Carries no part of the value."""


class Action(StrEnum):
    """action_id of every button, menu and input element."""

    START = "start_conversation"
    PICK_TEAM = "pick_team"  # numbered: pick_team_0 … (unique within a message)
    ANSWER_YES = "answer_yes"
    ANSWER_NO = "answer_no"
    ANSWER_NOT_SURE = "answer_not_sure"
    ESCALATE = "escalate"  # "Ask my safeguarding lead": Not sure at this question
    WHY = "why"
    BACK = "back"
    CHANGE_ANSWER = "change_answer"
    RECORD_OPEN = "record_open"
    ESC_CLAIM = "esc_claim"
    ESC_RESOLVE = "esc_resolve"
    PROCEDURE_SHOW = "procedure_show"
    REFERRAL_START = "referral_start"
    FOLLOWUP_ACCEPT = "followup_accept"
    FOLLOWUP_DECLINE = "followup_decline"
    FOLLOWUP_DONE = "followup_done"  # numbered
    FOLLOWUP_DISMISS = "followup_dismiss"  # numbered
    ADMIN_POST_DIGEST = "admin_post_digest"
    ADMIN_EXPORT = "admin_export"
    SETTINGS_TEAM_EDIT = "settings_team_edit"  # value: Ref(team id)
    SETTINGS_TEAM_ADD = "settings_team_add"
    SETTINGS_ORG_EDIT = "settings_org_edit"
    SETTINGS_TEAM_REMOVE = "settings_team_remove"  # in the team modal; value: Ref(team id)
    INPUT = "value"  # every input element of the record modal

    def nth(self, i: int) -> str:
        """A numbered id (action ids must be unique within a message)."""
        return f"{self.value}_{int(i)}"

    def numbered(self) -> re.Pattern[str]:
        """What a listener matches for a numbered id."""
        return re.compile(rf"^{re.escape(self.value)}_\d+$")

    @classmethod
    def answer(cls, answer: str) -> "Action":
        return cls(f"answer_{answer}")

    @classmethod
    def answers(cls) -> re.Pattern[str]:
        return re.compile(r"^answer_(yes|no|not_sure)$")

    @staticmethod
    def answer_of(action_id: str) -> str:
        """yes / no / not_sure, from an answer button's action id."""
        return action_id.removeprefix("answer_")


class BlockId(StrEnum):
    """block_id of every block we name (input blocks' ids are also the modal's field names)."""

    # the practitioner's conversation
    TEAM = "team"
    NEXT = "next"
    QUESTION = "question"
    ANSWER = "answer"
    MORE = "more"
    SUMMARY = "summary"
    GROUND = "ground"
    ADVICE = "advice"
    BECAUSE = "because"
    CASE_NOTE = "case_note"
    RECORDED = "recorded"
    # the record modal's inputs
    SHARED_WHAT = "shared_what"
    SHARED_WITH = "shared_with"
    REASON = "reason"
    NOTE = "note"
    # the lead's ping
    WHO = "who"
    UNSURE = "unsure"
    ANSWERS = "answers"
    PRIVACY = "privacy"
    STATUS = "status"
    # what happens next
    REFERRAL = "referral"
    REFERRAL_REMINDERS = "referral_reminders"
    REMINDER = "reminder"
    REMINDER_ACTIONS = "reminder_actions"
    SCHEDULED = "scheduled"
    STEP = "step"  # step_<step id>
    WHATS_NEXT = "whats_next"
    # App Home
    HOME_START = "home_start"
    HOME_PROCEDURES = "home_procedures"
    ADMIN_FIGURES = "admin_figures"
    ADMIN_ACTIONS = "admin_actions"
    SETTINGS_TEAM = "settings_team"  # settings_team_<team id>: one team's line in the admins' Settings
    SETTINGS_ACTIONS = "settings_actions"
    SETTINGS_REMOVE = "settings_remove"  # the team modal's Remove button
    # the digest
    TOTAL = "total"
    OUTCOMES = "outcomes"
    TEAMS = "teams"
    ESCALATIONS = "escalations"
    ABANDONED = "abandoned"
    REFERRALS = "referrals"

    def of(self, suffix: str) -> str:
        return f"{self.value}_{suffix}"


class Callback(StrEnum):
    """callback_id of views and shortcuts."""

    RECORD = "record_decision"
    MESSAGE_SHORTCUT = "canishare_message"
    SETTINGS_TEAM = "settings_team"
    SETTINGS_ORG = "settings_org"


class Field(StrEnum):
    """block_id of every input of the admins' settings modals (the Settings field each edits
    is bot/settings_admin.py's mapping); every input element's action_id is Action.INPUT."""

    # a team
    TEAM_ID = "team_id"
    TEAM_NAME = "team_name"
    TEAM_POLICY = "team_policy"
    TEAM_LEADS = "team_leads"
    TEAM_DEPUTIES = "team_deputies"
    TEAM_CHANNEL = "team_channel"
    TEAM_MEMBERS = "team_members"
    TEAM_USERGROUP = "team_usergroup"
    TEAM_MEMBERS_CHANNEL = "team_members_channel"
    # the organisation
    ORG_NAME = "org_name"
    ORG_POLICY = "org_policy"
    ORG_ADMINS = "org_admins"
    DEFAULT_TEAM = "default_team"
    DIGEST_CHANNEL = "digest_channel"
    DIGEST_DAY = "digest_day"
    DIGEST_TIME = "digest_time"
    DIGEST_TIMEZONE = "digest_timezone"
    REMIND_MINUTES = "remind_minutes"
    URGENT_MINUTES = "urgent_minutes"
    CALENDAR = "calendar"
    CLOSURES = "closures"
    RETENTION_DAYS = "retention_days"


class Command(StrEnum):
    CANISHARE = "/canishare"


# Values of buttons that carry no id (they say where they were clicked, for nobody to read).
START_NEW, START_HOME = "new", "home"
ADMIN_POST, ADMIN_CSV = "post", "csv"
SETTINGS_ADD, SETTINGS_ORG = "add", "org"
# The option meaning "none" in a settings menu (a static_select option needs a value).
NO_CHOICE = "-"


# --- the codec ---------------------------------------------------------------------------

def _text(value: object) -> str:
    if not isinstance(value, str):  # Slack sends every value as a string
        raise BadValue("not a string")
    return value


def _two(value: object, sep: str) -> tuple[str, str]:
    left, found, right = _text(value).partition(sep)
    if not found or not left or not right:
        raise BadValue(f"expected two parts around {sep!r}")
    return left, right


@dataclass(frozen=True)
class Ref:
    """A value that is one id (an escalation, conversation, referral, reminder or team)."""

    id: str

    def encode(self) -> str:
        return self.id

    @classmethod
    def decode(cls, value: object) -> "Ref":
        return cls(_text(value))


class _Pair:
    """A value of two non-empty parts, the first holding no ':' (a dataclass's two fields)."""

    def encode(self) -> str:
        return ":".join(getattr(self, f.name) for f in fields(self))  # type: ignore[arg-type]

    @classmethod
    def decode(cls, value: object):
        return cls(*_two(value, ":"))


@dataclass(frozen=True)
class QuestionRef(_Pair):
    """Which conversation, and which of its questions (or outcomes) the message shows."""

    conversation_id: str
    node_id: str


@dataclass(frozen=True)
class ChangeTo:
    """Go back to `node_id`, from the outcome message of `from_outcome`."""

    conversation_id: str
    node_id: str
    from_outcome: str

    def encode(self) -> str:
        return QuestionRef(self.conversation_id, f"{self.node_id}@{self.from_outcome}").encode()

    @classmethod
    def decode(cls, value: object) -> "ChangeTo":
        ref = QuestionRef.decode(value)
        return cls(ref.conversation_id, *_two(ref.node_id, "@"))


@dataclass(frozen=True)
class LeadAdvice(_Pair):
    """What a lead says their advice was, resolving an escalation (which outcomes a lead may
    give is the service's rule: bot.escalation.LEAD_OUTCOMES)."""
    escalation_id: str
    lead_outcome: str


@dataclass(frozen=True)
class ProcedureChoice:
    number: int

    def encode(self) -> str:
        return str(self.number)

    @classmethod
    def decode(cls, value: object) -> "ProcedureChoice":
        try:
            return cls(int(_text(value)))
        except ValueError:
            raise BadValue("not a procedure number") from None


def _json_object(value: object) -> dict:
    """A private_metadata value as a JSON object, or BadValue."""
    try:
        meta = json.loads(_text(value) or "{}")
    except ValueError:
        raise BadValue("not JSON") from None
    if not isinstance(meta, dict):
        raise BadValue("not an object")
    return meta


@dataclass(frozen=True)
class RecordForm:
    """The record modal's private_metadata: the conversation, and the outcome message to mark."""

    conversation_id: str
    channel: str | None = None
    ts: str | None = None

    def encode(self) -> str:
        return json.dumps({"c": self.conversation_id, "ch": self.channel, "ts": self.ts})

    @classmethod
    def decode(cls, value: object) -> "RecordForm":
        meta = _json_object(value)

        def opt(key: str) -> str | None:
            v = meta.get(key)
            return v if isinstance(v, str) and v else None

        return cls(str(meta.get("c", "")), opt("ch"), opt("ts"))


@dataclass(frozen=True)
class SettingsForm:
    """A settings modal's private_metadata: which team it edits (None: a new team, or the
    organisation modal) and the configuration version it was opened on."""

    team_id: str | None = None
    version: int | None = None

    def encode(self) -> str:
        return json.dumps({"t": self.team_id, "v": self.version})

    @classmethod
    def decode(cls, value: object) -> "SettingsForm":
        meta = _json_object(value)
        team, version = meta.get("t"), meta.get("v")
        if team is not None and (not isinstance(team, str) or not team):
            raise BadValue("not a team id")
        if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
            raise BadValue("not a version number")
        return cls(team, version)


def selected(action: dict) -> object:
    """The value of a menu's chosen option (None when there is none)."""
    option = action.get("selected_option")
    return option.get("value") if isinstance(option, dict) else None
