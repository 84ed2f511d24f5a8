"""bot/settings_admin.py against the real configuration store: only admins change anything,
each change is a version with its author, and every refusal leaves the store as it was."""
from __future__ import annotations

import pytest

from bot.config import Settings
from bot.config_store import ConfigStore
from bot.ids import Action, Field
from bot.settings_admin import NOT_ADMIN, SettingsAdmin
from bot.settings_form import submitted
from tests.conftest import TEST_CONFIG

ADMIN = "U0ADMIN1"


def state(**values) -> dict:
    """A view_submission's state.values for these blocks, each in the shape Slack sends."""
    def element(v):
        if isinstance(v, list):
            return {"type": "multi_users_select", "selected_users": v}
        if isinstance(v, tuple):  # ("C…",): a conversations_select
            return {"type": "conversations_select", "selected_conversation": v[0]}
        return {"type": "plain_text_input", "value": v}
    return {block: {Action.INPUT.value: element(v)} for block, v in values.items()}


@pytest.fixture
def store(database):
    config = ConfigStore(database, poll_seconds=0)
    assert config.seed(Settings.model_validate(TEST_CONFIG))
    return config


@pytest.fixture
def channels():
    """What the bot would find in Slack: channels it is in; any other is a problem."""
    member = {"C0ESC1", "C0YJESC", "C0DIGEST"}
    return lambda c: None if c in member else f"I'm not in #{c.lower()} yet. Type /invite @canishare in #{c.lower()}"


def youth_justice(**over) -> dict:
    return submitted(state(**{Field.TEAM_ID: "youth-justice", Field.TEAM_NAME: "Youth Justice",
                              Field.TEAM_LEADS: ["U0YJLEAD"], Field.TEAM_CHANNEL: ("C0YJESC",), **over}))


def test_an_admin_adds_a_team_as_a_new_version_with_their_name_on_it(store, channels):
    before = store.latest().number
    saved = SettingsAdmin(store, channels).save_team(ADMIN, None, youth_justice())
    assert saved.kind == "saved" and saved.version == before + 1
    assert "Youth Justice added" in saved.told and f"version {saved.version}" in saved.told
    latest = store.latest()
    assert latest.author == f"slack:{ADMIN}" and latest.settings.team("youth-justice").leads == ["U0YJLEAD"]
    assert store.current().teams_of("U0YJLEAD")[0].id == "youth-justice"


def test_saving_the_same_again_writes_nothing_and_says_so(store, channels):
    service = SettingsAdmin(store, channels)
    first = service.save_team(ADMIN, None, youth_justice())
    again = service.save_team(ADMIN, "youth-justice", youth_justice())
    assert again.kind == "unchanged" and again.version == first.version and store.latest().number == first.version
    assert "nothing was changed" in again.told


@pytest.mark.parametrize("who", ["U0PRACT1", "U0LEAD1", ""])
def test_anyone_but_an_admin_is_refused_and_nothing_changes(store, channels, who):
    before = store.latest().number
    service = SettingsAdmin(store, channels)
    assert service.save_team(who, None, youth_justice()).errors == {Field.TEAM_ID: NOT_ADMIN}
    assert service.save_team(who, "early-help", youth_justice()).errors == {Field.TEAM_NAME: NOT_ADMIN}
    assert service.save_organisation(who, {Field.ORG_ADMINS: [who]}).errors == {Field.ORG_NAME: NOT_ADMIN}
    assert service.remove_team(who, "school-nursing").kind == "refused"
    assert store.latest().number == before


def test_a_channel_the_bot_is_not_in_is_refused_with_how_to_invite_it(store, channels):
    before = store.latest().number
    saved = SettingsAdmin(store, channels).save_team(ADMIN, None, youth_justice(**{Field.TEAM_CHANNEL: ("C0ELSEWHERE",)}))
    assert saved.kind == "refused" and "/invite @canishare in #c0elsewhere" in saved.errors[Field.TEAM_CHANNEL]
    assert store.latest().number == before


def test_no_lead_and_a_taken_id_are_refused_next_to_their_fields(store, channels):
    service = SettingsAdmin(store, channels)
    saved = service.save_team(ADMIN, None, youth_justice(**{Field.TEAM_LEADS: [], Field.TEAM_ID: "early-help"}))
    assert saved.kind == "refused" and {Field.TEAM_LEADS, Field.TEAM_ID} <= set(saved.errors)
    edited = service.save_team(ADMIN, "school-nursing", submitted(state(**{Field.TEAM_NAME: "SN", Field.TEAM_LEADS: []})))
    assert set(edited.errors) == {Field.TEAM_LEADS}
    assert store.current().team("school-nursing").leads == ["U0LEAD2"]


def test_the_last_admin_cannot_be_removed_but_can_be_joined(store, channels):
    service = SettingsAdmin(store, channels)
    refused = service.save_organisation(ADMIN, {Field.ORG_ADMINS: []})
    assert refused.kind == "refused" and Field.ORG_ADMINS in refused.errors
    assert store.current().admins == [ADMIN]
    joined = service.save_organisation(ADMIN, {Field.ORG_ADMINS: [ADMIN, "U0ADMIN2"]})
    assert joined.kind == "saved" and store.current().admins == [ADMIN, "U0ADMIN2"]


def test_removing_a_team_and_the_default_team(store, channels):
    service = SettingsAdmin(store, channels)
    default = service.remove_team(ADMIN, "early-help")
    assert default.kind == "refused" and "default team" in default.errors[Field.TEAM_NAME]
    removed = service.remove_team(ADMIN, "school-nursing")
    assert removed.kind == "saved" and "School Nursing removed" in removed.told
    assert [t.id for t in store.current().teams] == ["early-help"]
    gone = service.save_team(ADMIN, "school-nursing", youth_justice())
    assert gone.kind == "refused" and "no longer exists" in gone.errors[Field.TEAM_NAME]


def test_organisation_problems_are_refused_next_to_their_fields(store, channels):
    service = SettingsAdmin(store, channels)
    saved = service.save_organisation(ADMIN, {Field.DIGEST_CHANNEL: "C0NOTIN", Field.REMIND_MINUTES: "0",
                                              Field.CLOSURES: "tomorrow"})
    assert set(saved.errors) == {Field.DIGEST_CHANNEL, Field.REMIND_MINUTES, Field.CLOSURES}
    assert "/invite @canishare" in saved.errors[Field.DIGEST_CHANNEL]


def test_another_admins_change_to_the_same_team_is_not_overwritten(store, channels):
    service = SettingsAdmin(store, channels)
    opened = store.latest().number  # both admins open Early Help at this version
    other = service.save_team("U0ADMIN1", "early-help", submitted(state(**{Field.TEAM_NAME: "Early Help",
                                                                           Field.TEAM_LEADS: ["U0LEAD7"]})), opened=opened)
    assert other.kind == "saved"
    mine = service.save_team(ADMIN, "early-help", submitted(state(**{Field.TEAM_NAME: "Early Help",
                                                                    Field.TEAM_DEPUTIES: ["U0DEP9"]})), opened=opened)
    assert mine.kind == "refused" and f"version {other.version}" in mine.errors[Field.TEAM_NAME]
    assert store.current().team("early-help").leads == ["U0LEAD7"] and store.latest().number == other.version
    # a change elsewhere (another team) does not stop this one
    elsewhere = service.save_team(ADMIN, "school-nursing", submitted(state(**{Field.TEAM_NAME: "SN", Field.TEAM_LEADS: ["U0LEAD2"]})),
                                  opened=opened)
    assert elsewhere.kind == "saved"
    org = service.save_organisation(ADMIN, {Field.RETENTION_DAYS: "400"}, opened=opened)
    assert org.kind == "saved"  # the organisation's own fields had not changed since
    stale = service.save_organisation(ADMIN, {Field.RETENTION_DAYS: "500"}, opened=opened)
    assert stale.kind == "refused" and "after you opened this form" in stale.errors[Field.ORG_NAME]


def test_a_version_stored_between_reading_and_saving_is_not_overwritten(database, channels):
    class Racing(ConfigStore):
        """The real store, with another admin's save landing just before this one."""
        raced = False

        def apply(self, new, **kw):
            if not self.raced:
                self.raced = True
                other = self.current().model_dump(mode="json")
                other["retention_days"] = 100
                super().apply(other, author="slack:U0ADMIN2")
            return super().apply(new, **kw)

    store = Racing(database, poll_seconds=0)
    store.seed(Settings.model_validate(TEST_CONFIG))
    saved = SettingsAdmin(store, channels).save_team(ADMIN, None, youth_justice())
    assert saved.kind == "refused" and "slack:U0ADMIN2" in saved.errors[Field.TEAM_ID]
    assert store.current().retention_days == 100 and "youth-justice" not in [t.id for t in store.current().teams]


def test_a_newly_named_lead_or_deputy_slack_refuses_is_refused_next_to_the_field(store, channels):
    before, asked = store.latest().number, []

    def person(user):
        asked.append(user)
        return {"U0BOT": "U0BOT is a bot", "U0GONE": "U0GONE has been deactivated"}.get(user)

    service = SettingsAdmin(store, channels, check_person=person)
    saved = service.save_team(ADMIN, None, youth_justice(**{Field.TEAM_LEADS: ["U0YJLEAD", "U0BOT"],
                                                            Field.TEAM_DEPUTIES: ["U0GONE", "U0BOT"]}))
    assert saved.kind == "refused" and set(saved.errors) == {Field.TEAM_LEADS, Field.TEAM_DEPUTIES}
    assert "bot" in saved.errors[Field.TEAM_LEADS] and "deactivated" in saved.errors[Field.TEAM_DEPUTIES]
    assert sorted(asked) == ["U0BOT", "U0GONE", "U0YJLEAD"]  # once each
    assert store.latest().number == before
    # Only people new to the team are asked: the existing lead and deputy are not.
    asked.clear()
    saved = service.save_team(ADMIN, "early-help", submitted(state(**{
        Field.TEAM_NAME: "Early Help", Field.TEAM_LEADS: ["U0DEP1", "U0NEWLEAD"], Field.TEAM_DEPUTIES: ["U0LEAD1"]})))
    assert saved.kind == "saved" and asked == ["U0NEWLEAD"]
