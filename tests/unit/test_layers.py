"""The services know no Slack: importing one loads nothing of slack_sdk or slack_bolt."""
from __future__ import annotations

import subprocess
import sys

import pytest

SERVICES = ["bot.conversations", "bot.escalation", "bot.followup", "bot.admin", "bot.digest", "bot.record_details",
            "bot.messenger", "bot.mrkdwn", "bot.ids", "bot.settings_admin", "bot.settings_form", "bot.membership",
            "bot.deactivated_leads", "bot.membership_refresh"]


@pytest.mark.parametrize("module", SERVICES)
def test_a_service_imports_no_slack(module):
    code = (f"import sys, {module}; bad = sorted(m for m in sys.modules if m.split('.')[0] in ('slack_sdk', 'slack_bolt')); "
            "print(bad[:3]); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"{module} imports Slack: {done.stdout}{done.stderr}"
