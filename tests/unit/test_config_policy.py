"""The configuration's policy-related settings: hmg-2024 is the default pack, the
working-day calendar (UK bank holidays plus closure dates) and the organisation's local
timescales, each checked before the bot serves anyone."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.config import DEFAULT_POLICY, ConfigError, load_settings
from policy.procedures import Timescale

LONDON = ZoneInfo("Europe/London")
BASE = {"organisation": "Testshire Children's Services",
        "teams": [{"id": "early-help", "name": "Early Help", "leads": ["U0LEAD1"], "members": ["U0PRACT1"]}]}


def settings_from(tmp_path, **extra):
    path = tmp_path / "canishare.yml"
    path.write_text(yaml.safe_dump({**BASE, **extra}), encoding="utf-8")
    return load_settings(path)


def test_without_policy_the_pack_is_hmg_2024(tmp_path):
    settings = settings_from(tmp_path)
    assert DEFAULT_POLICY == "hmg-2024"
    assert settings.policy == "hmg-2024" and settings.policy_for("early-help") == "hmg-2024"
    assert settings_from(tmp_path, policy="hmg-2008").policy == "hmg-2008"


def test_the_example_configuration_names_hmg_2024_and_the_calendar():
    from pathlib import Path

    example = yaml.safe_load((Path(__file__).resolve().parents[2] / "canishare.example.yml").read_text(encoding="utf-8"))
    assert example["policy"] == "hmg-2024"
    assert example["working_days"] == {"calendar": "england-and-wales", "closed": []}


def test_working_days_default_to_england_and_wales(tmp_path):
    calendar = settings_from(tmp_path).working_days.holidays
    assert date(2026, 12, 28) in calendar and date(2026, 12, 24) not in calendar


def test_working_days_calendar_and_closures(tmp_path):
    settings = settings_from(tmp_path, working_days={"calendar": "scotland", "closed": ["2026-12-29", date(2026, 12, 30)]})
    calendar = settings.working_days.holidays
    assert date(2027, 1, 4) in calendar  # Scotland: 2 January 2027 is a Saturday, so Monday 4 January is the holiday
    assert date(2026, 12, 29) in calendar and date(2026, 12, 30) in calendar
    assert date(2026, 8, 31) not in calendar  # England's late summer bank holiday, not Scotland's


@pytest.mark.parametrize("working_days, words", [
    ({"calendar": "france"}, "working_days.calendar must be one of"),
    ({"calendar": "england-and-wales", "closed": ["not a date"]}, "working_days.closed"),
    ({"calendar": "england-and-wales", "shut": []}, "working_days.shut"),
])
def test_bad_working_days_are_refused(tmp_path, working_days, words):
    with pytest.raises(ConfigError) as info:
        settings_from(tmp_path, working_days=working_days)
    assert words in str(info.value)


def test_local_timescales_are_set_and_national_ones_refused(tmp_path):
    settings = settings_from(tmp_path, local_timescales={"confirm_in_writing": {"hours": 24}})
    assert settings.local_timescale_values == {"confirm_in_writing": Timescale("hours", 24)}
    with pytest.raises(ConfigError, match="national timescales cannot be changed"):
        settings_from(tmp_path, local_timescales={"decision_on_next_steps": {"working_days": 3}})
    with pytest.raises(ConfigError, match="positive whole number"):
        settings_from(tmp_path, local_timescales={"confirm_in_writing": {"hours": 0}})


def test_referral_deadlines_use_the_calendar_and_local_timescales():
    from bot.followup import deadlines
    from conversation.timescales import working_calendar

    # Thursday 24 December 2026, 15:00 in London (GMT, so 15:00 UTC).
    due = deadlines(datetime(2026, 12, 24, 15, 0), LONDON, working_calendar("england-and-wales"),
                    {"confirm_in_writing": Timescale("hours", 24)})
    assert due["decision_due"] == datetime(2026, 12, 29, 15, 0)
    assert due["confirm_by"] == datetime(2026, 12, 25, 15, 0)  # the organisation's 24 hours
    assert deadlines(datetime(2026, 12, 24, 15, 0), LONDON)["confirm_by"] == datetime(2026, 12, 26, 15, 0)  # 48 h default
