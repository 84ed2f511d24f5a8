"""Fixtures shared by the end-to-end tests that need a server of their own."""
from __future__ import annotations

import pytest

from tests.conftest import start_server


@pytest.fixture
def srv(tmp_path, fake_slack, fresh_db):
    """A fresh server and database per test, for tests that break Slack or kill the process."""
    fake_slack.reset()
    server = start_server(tmp_path / "srv", fake_slack, fresh_db)
    yield server
    server.stop()
    fake_slack.reset()
