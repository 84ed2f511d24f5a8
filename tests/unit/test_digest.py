"""The weekly digest: counts from SQL, week boundaries across clock changes, nothing
personal in any rendering, and the scheduled post (once per week, across processes and
restarts) against the fake Slack over real HTTP."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from slack_sdk import WebClient
from sqlalchemy import select

from bot.config import DigestSettings, Settings
from bot.digest_blocks import digest_blocks, digest_chart_png, digest_text, post_digest
from bot.scheduled_tasks import retention_task, weekly_digest_task
from storage.db import Database
from storage.digest import OUTCOMES, compute_digest, next_digest_slot, scheduled_digest_end
from storage.models import Conversation, Escalation, Job, Record
from storage.records import append, pseudonymise
from tests.conftest import BOT_TOKEN, PSEUDONYM_KEY, TEST_CONFIG
from tests.fakeslack import FakeSlack

LONDON = ZoneInfo("Europe/London")
UTC = timezone.utc
SCHEDULE = DigestSettings(channel="C0DIGEST", day="monday", time="09:00", timezone="Europe/London")
PRACTITIONER = "U0PRACT1"
PSEUDONYM = pseudonymise(PSEUDONYM_KEY, PRACTITIONER)
FREE_TEXT = "Jane Example, 12 Acacia Avenue, told me about her son"

# A summer week: the digest posted Monday 15 June 2026 09:00 BST (08:00 UTC).
END = datetime(2026, 6, 15, 8, 0, tzinfo=UTC)
START = END - timedelta(days=7)
PREV_START = START - timedelta(days=7)


def naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def add_record(s, created: datetime, outcome: str, team: str = "early-help", unsure_at: str | None = None,
               conversation_id: str | None = None, what: list[str] | None = None, whom: list[str] | None = None) -> Record:
    """A record with details as choices (`what`, `whom`), or else as free text the way records
    made before migration 0004 held them (format 1)."""
    path = [{"node": "danger", "answer": "no"}]
    if unsure_at:
        path.append({"node": unsure_at, "answer": "not_sure"})
    record = Record(created_at=naive(created), policy="hmg-2008@1", team=team, practitioner=PSEUDONYM, path=path,
                    outcome=outcome, unsure_at=unsure_at, conversation_id=conversation_id)
    if what is None:
        record.format = 1
        record.legacy_shared_what = record.legacy_shared_with = record.legacy_reason = FREE_TEXT
    else:
        record.format = 2
        record.shared_what, record.shared_with, record.reason = what, whom or [], "support_child"
    s.add(record)
    append(s, record, "outcome", naive(created))
    return record


def add_escalation(s, record: Record, opened: datetime, claimed_after: float | None = None, resolved: bool = False) -> Escalation:
    claimed_at = naive(opened + timedelta(minutes=claimed_after)) if claimed_after is not None else None
    esc = Escalation(record_id=record.id, conversation_id=record.conversation_id or "c" * 32, team=record.team,
                     practitioner_user=PRACTITIONER, node=record.unsure_at, status="resolved" if resolved else ("claimed" if claimed_at else "open"),
                     opened_at=naive(opened), claimed_at=claimed_at, claimed_by="U0LEAD1" if claimed_at else None,
                     resolved_at=claimed_at + timedelta(minutes=5) if resolved and claimed_at else None, pings=[])
    s.add(esc)
    return esc


def add_conversation(s, status: str, updated: datetime) -> Conversation:
    convo = Conversation(workspace="T0TEST", user_id=PRACTITIONER, team="early-help", channel_id="D0PRACT1",
                         policy="hmg-2008@1", state="consent", path=[{"node": "danger", "answer": "no"}], status=status,
                         created_at=naive(updated - timedelta(minutes=5)), updated_at=naive(updated))
    s.add(convo)
    return convo


@pytest.fixture
def week(database: Database) -> Database:
    """A known set of rows around the week ending END."""
    with database.transaction() as s:
        # this week
        for hours in (1, 30, 100):
            add_record(s, START + timedelta(hours=hours), "share")
        add_record(s, START + timedelta(hours=5), "share", what=["attendance", "health"], whom=["school_nurse"])
        add_record(s, START + timedelta(hours=6), "share", what=["attendance"], whom=["school_nurse", "gp"])
        add_record(s, START + timedelta(hours=2), "share_without_consent", team="school-nursing")
        a1 = add_record(s, START + timedelta(hours=3), "seek_advice", unsure_at="consent")
        a2 = add_record(s, START + timedelta(hours=4), "seek_advice", team="school-nursing", unsure_at="purpose")
        u1 = add_record(s, END - timedelta(minutes=1), "urgent")
        add_record(s, START, "share")  # exactly at the start: this week
        add_escalation(s, a1, START + timedelta(hours=3), claimed_after=10, resolved=True)
        add_escalation(s, a2, START + timedelta(hours=4), claimed_after=30)
        add_escalation(s, u1, END - timedelta(minutes=1))
        # the week before
        add_record(s, PREV_START + timedelta(days=1), "do_not_share")
        add_record(s, START - timedelta(minutes=1), "do_not_share", team="school-nursing", what=["health"], whom=["police"])
        p1 = add_record(s, PREV_START + timedelta(days=2), "seek_advice", unsure_at="consent")
        add_escalation(s, p1, PREV_START + timedelta(days=2), claimed_after=5)
        # outside both weeks
        add_record(s, END, "share")  # exactly at the end: next week's digest
        add_record(s, PREV_START - timedelta(minutes=1), "urgent")
        # walks given up
        add_conversation(s, "abandoned", START + timedelta(days=2))          # this week
        add_conversation(s, "active", END - timedelta(days=3))               # idle > 24 h: this week
        add_conversation(s, "active", END - timedelta(hours=2))              # still in progress
        add_conversation(s, "active", START - timedelta(hours=12))           # passed 24 h idle this week
        add_conversation(s, "abandoned", PREV_START + timedelta(days=3))     # last week
        add_conversation(s, "decided", START + timedelta(days=1))            # finished: not abandoned
    return database


def test_digest_counts(week: Database) -> None:
    with week.read_only() as s:
        d = compute_digest(s, END, LONDON)
    assert d["period_start"] == "2026-06-08T08:00:00Z"
    assert d["period_end"] == "2026-06-15T08:00:00Z"
    assert d["total"] == 10
    assert d["by_outcome"] == {"share": 6, "share_without_consent": 1, "do_not_share": 0, "seek_advice": 2, "urgent": 1}
    assert list(d["by_outcome"]) == list(OUTCOMES)
    assert d["by_team"] == {"early-help": 8, "school-nursing": 2}
    assert d["unsure_at"] == {"consent": 1, "purpose": 1}
    assert d["escalations"] == {"opened": 3, "claimed": 2, "resolved": 1, "median_minutes_to_claim": 20.0}
    assert d["abandoned"] == 3
    # What was shared with whom: records naming each kind and recipient (choices only).
    assert d["shared"] == {"kinds": {"attendance": 2, "health": 1}, "recipients": {"school_nurse": 2, "gp": 1}, "records": 2}

    p = d["previous"]
    assert "previous" not in p
    assert p["period_start"] == "2026-06-01T08:00:00Z" and p["period_end"] == "2026-06-08T08:00:00Z"
    assert p["total"] == 3
    assert p["by_outcome"] == {"share": 0, "share_without_consent": 0, "do_not_share": 2, "seek_advice": 1, "urgent": 0}
    assert p["by_team"] == {"early-help": 2, "school-nursing": 1}
    assert p["unsure_at"] == {"consent": 1}
    assert p["escalations"] == {"opened": 1, "claimed": 1, "resolved": 0, "median_minutes_to_claim": 5.0}
    assert p["abandoned"] == 1
    assert p["shared"] == {"kinds": {"health": 1}, "recipients": {"police": 1}, "records": 1}


def test_empty_week_has_every_outcome_and_null_median(database: Database) -> None:
    with database.read_only() as s:
        d = compute_digest(s, END, LONDON)
    assert d["total"] == 0
    assert d["by_outcome"] == {o: 0 for o in OUTCOMES}
    assert d["by_team"] == {} and d["unsure_at"] == {}
    assert d["escalations"] == {"opened": 0, "claimed": 0, "resolved": 0, "median_minutes_to_claim": None}
    assert d["previous"]["escalations"]["median_minutes_to_claim"] is None
    assert digest_text(d) and digest_blocks(d) and digest_chart_png(d)[:8] == b"\x89PNG\r\n\x1a\n"


def test_nothing_personal_in_any_rendering(week: Database) -> None:
    with week.read_only() as s:
        d = compute_digest(s, END, LONDON)
        stored = s.execute(select(Record.practitioner)).scalars().first()
    assert stored == PSEUDONYM  # the rows do hold it; the digest must not
    rendered = [json.dumps(d), digest_text(d), json.dumps(digest_blocks(d))]
    for text in rendered:
        for secret in (PSEUDONYM, PRACTITIONER, "U0LEAD1", "D0PRACT1", "Jane", "Acacia", FREE_TEXT):
            assert secret not in text
    assert "decisions" in rendered[1].lower() and "last week" in rendered[1]


def test_blocks_compare_this_week_with_last(week: Database) -> None:
    with week.read_only() as s:
        d = compute_digest(s, END, LONDON)
    blocks = digest_blocks(d)
    by_id = {b.get("block_id"): b for b in blocks}
    assert blocks[0]["type"] == "header"
    fields = [f["text"] for f in by_id["outcomes"]["fields"]]
    assert "*Do not share*\n0  (last week 2)" in fields
    assert "*Share*\n6  (last week 0)" in fields
    assert "Attendance, lateness or missing education: 2 (last week 0)" in by_id["shared_what"]["text"]["text"]
    assert "School nurse: 2 (last week 0)" in by_id["shared_with"]["text"]["text"]
    assert "Police: 0 (last week 1)" in by_id["shared_with"]["text"]["text"]
    assert "What was shared:" in digest_text(d) and "School nurse: 2" in digest_text(d)
    assert "20 min" in json.dumps(by_id["escalations"])
    assert "Mon 08 Jun 2026 09:00 to Mon 15 Jun 2026 09:00" in digest_text(d)


# --- week boundaries and clock changes --------------------------------------------------------

@pytest.mark.parametrize(
    "now, expected",
    [
        # Monday after the last Sunday of March 2026 (clocks went forward on 29 March): 09:00 BST = 08:00 UTC
        (datetime(2026, 3, 30, 8, 0), datetime(2026, 3, 30, 8, 0)),
        (datetime(2026, 3, 30, 7, 59), datetime(2026, 3, 23, 9, 0)),  # before it: the previous Monday, 09:00 GMT
        (datetime(2026, 4, 2, 12, 0), datetime(2026, 3, 30, 8, 0)),
        # Monday after the last Sunday of October 2026 (clocks went back on 25 October): 09:00 GMT = 09:00 UTC
        (datetime(2026, 10, 26, 9, 0), datetime(2026, 10, 26, 9, 0)),
        (datetime(2026, 10, 26, 8, 30), datetime(2026, 10, 19, 8, 0)),  # the Monday before: 09:00 BST
        (datetime(2026, 10, 25, 23, 59), datetime(2026, 10, 19, 8, 0)),
        (datetime(2026, 6, 15, 8, 0, tzinfo=UTC), datetime(2026, 6, 15, 8, 0)),  # aware input
    ],
)
def test_scheduled_digest_end_is_dst_correct(now: datetime, expected: datetime) -> None:
    end = scheduled_digest_end(now, SCHEDULE)
    assert end.tzinfo is not None
    assert end == expected.replace(tzinfo=UTC)
    assert end.astimezone(LONDON).strftime("%a %H:%M") == "Mon 09:00"


def test_next_slot_crosses_clock_changes() -> None:
    assert next_digest_slot(datetime(2026, 3, 23, 9, 0), SCHEDULE) == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    assert next_digest_slot(datetime(2026, 10, 19, 8, 0), SCHEDULE) == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
    other = DigestSettings(day="Friday", time="17:30", timezone="America/New_York")
    assert scheduled_digest_end(datetime(2026, 3, 9, 12, 0), other) == datetime(2026, 3, 6, 22, 30, tzinfo=UTC)  # EST
    assert next_digest_slot(datetime(2026, 3, 9, 12, 0), other) == datetime(2026, 3, 13, 21, 30, tzinfo=UTC)  # EDT


@pytest.mark.parametrize(
    "end, start",
    [
        (datetime(2026, 3, 30, 8, 0, tzinfo=UTC), datetime(2026, 3, 23, 9, 0, tzinfo=UTC)),    # 167-hour week
        (datetime(2026, 10, 26, 9, 0, tzinfo=UTC), datetime(2026, 10, 19, 8, 0, tzinfo=UTC)),  # 169-hour week
    ],
)
def test_week_boundary_across_a_clock_change(database: Database, end: datetime, start: datetime) -> None:
    with database.transaction() as s:
        add_record(s, start - timedelta(minutes=1), "do_not_share")  # one minute before the boundary
        add_record(s, start, "share")
        add_record(s, end - timedelta(minutes=1), "urgent")
        add_record(s, end, "seek_advice")  # the next week's
    with database.read_only() as s:
        d = compute_digest(s, end, LONDON)
    assert d["period_start"] == start.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert d["period_start_local"].endswith("T09:00" + ("+00:00" if start.hour == 9 else "+01:00"))
    assert d["by_outcome"] == {"share": 1, "share_without_consent": 0, "do_not_share": 0, "seek_advice": 0, "urgent": 1}
    assert d["previous"]["by_outcome"]["do_not_share"] == 1 and d["previous"]["total"] == 1
    # Consecutive digests tile: last week's digest ends where this one starts.
    with database.read_only() as s:
        before = compute_digest(s, scheduled_digest_end(start, SCHEDULE), LONDON)
    assert before["period_end"] == d["period_start"]
    assert before["total"] == 1 and before["by_outcome"]["do_not_share"] == 1


# --- posting and the weekly task ----------------------------------------------------------------

SETTINGS = Settings.model_validate(TEST_CONFIG)


class BinaryUploadFakeSlack(FakeSlack):
    """The shared fake, taking file bodies as raw bytes at its upload URL, as Slack does.

    slack_sdk uploads with urllib, which labels a bare body form-urlencoded; the shared
    fake's handler then tries to decode a PNG as UTF-8 form data and drops the connection."""

    def _handler(self):
        base = super()._handler()
        fake = self

        class Handler(base):  # type: ignore[misc, valid-type]
            def do_POST(self) -> None:  # noqa: N802
                if not self.path.startswith("/upload/"):
                    return super().do_POST()
                length = int(self.headers.get("Content-Length") or 0)
                fake.uploads[self.path.rsplit("/", 1)[1]] = self.rfile.read(length)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"OK")

        return Handler


@pytest.fixture(scope="module")
def fake_slack():
    fake = BinaryUploadFakeSlack().start()
    yield fake
    fake.stop()


def client_for(fake) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=fake.url)


def digest_posts(fake, since: int):
    return fake.calls_to_since("chat.postMessage", since, channel="C0DIGEST")


def test_post_digest_sends_blocks_and_chart(week: Database, fake_slack) -> None:
    mark = fake_slack.mark()
    with week.read_only() as s:
        d = compute_digest(s, END, LONDON)
    ts = post_digest(client_for(fake_slack), "C0DIGEST", d)
    [post] = digest_posts(fake_slack, mark)
    assert post.result["ts"] == ts
    assert post.args["blocks"] == digest_blocks(d)
    assert post.args["text"] == digest_text(d)
    [url] = fake_slack.calls_to_since("files.getUploadURLExternal", mark)
    assert url.args["filename"] == "digest.png" and 1000 < int(url.args["length"]) < 100_000
    [done] = fake_slack.calls_to_since("files.completeUploadExternal", mark)
    assert done.args["channel_id"] == "C0DIGEST"
    file_id = url.result["file_id"]
    assert done.args["files"][0]["id"] == file_id and done.args["files"][0]["title"]
    assert fake_slack.uploads[file_id] == digest_chart_png(d)


def test_weekly_task_posts_once_when_due(week: Database, fake_slack) -> None:
    mark = fake_slack.mark()
    task = weekly_digest_task(SETTINGS, week, client_for(fake_slack))
    assert task(naive(END - timedelta(days=1))) is None  # first run: the row is made, due at the next slot
    with week.read_only() as s:
        assert s.get(Job, "weekly_digest").due_at == naive(END)
    assert task(naive(END - timedelta(seconds=1))) is None
    assert task(naive(END + timedelta(seconds=30))) is not None
    [post] = digest_posts(fake_slack, mark)
    assert "Mon 08 Jun 2026 09:00 to Mon 15 Jun 2026 09:00" in post.args["text"]
    assert "*10* decisions this week" in json.dumps(post.args["blocks"])
    assert task(naive(END + timedelta(minutes=1))) is None
    assert task(naive(END + timedelta(days=3))) is None
    assert len(digest_posts(fake_slack, mark)) == 1
    with week.read_only() as s:
        job = s.get(Job, "weekly_digest")
        assert job.due_at == naive(END + timedelta(days=7)) and job.lease_owner is None
        assert job.last_run_at == naive(END + timedelta(seconds=30))


def test_weekly_task_not_twice_from_two_processes(week: Database, fresh_db: str, fake_slack) -> None:
    other = Database(fresh_db)
    try:
        mark = fake_slack.mark()
        tasks = [weekly_digest_task(SETTINGS, db, client_for(fake_slack)) for db in (week, other, week, other)]
        tasks[0](naive(END - timedelta(hours=1)))
        # All at once, from two engines (as two processes would be) and two tasks on each.
        barrier = threading.Barrier(len(tasks))
        results: list = []

        def run(task) -> None:
            barrier.wait()
            results.append(task(naive(END + timedelta(seconds=10))))

        threads = [threading.Thread(target=run, args=(t,)) for t in tasks]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert len(results) == 4 and sum(r is not None for r in results) == 1
        # and one after the other
        for task in tasks:
            assert task(naive(END + timedelta(minutes=1))) is None
        assert len(digest_posts(fake_slack, mark)) == 1
    finally:
        other.engine.dispose()


def test_weekly_task_restart_neither_repeats_nor_skips(week: Database, fake_slack) -> None:
    mark = fake_slack.mark()
    weekly_digest_task(SETTINGS, week, client_for(fake_slack))(naive(END - timedelta(hours=1)))
    assert weekly_digest_task(SETTINGS, week, client_for(fake_slack))(naive(END + timedelta(minutes=1)))
    # restarted the same week: nothing
    assert weekly_digest_task(SETTINGS, week, client_for(fake_slack))(naive(END + timedelta(hours=5))) is None
    assert len(digest_posts(fake_slack, mark)) == 1
    # down over the next two slots; back on Wednesday: one digest, for the latest week
    back = END + timedelta(days=16)
    restarted = weekly_digest_task(SETTINGS, week, client_for(fake_slack))
    assert restarted(naive(back)) is not None
    assert restarted(naive(back + timedelta(minutes=1))) is None
    posts = digest_posts(fake_slack, mark)
    assert len(posts) == 2
    assert "Mon 22 Jun 2026 09:00 to Mon 29 Jun 2026 09:00" in posts[1].args["text"]
    with week.read_only() as s:
        assert s.get(Job, "weekly_digest").due_at == naive(END + timedelta(days=21))


def test_weekly_task_retries_after_slack_fails(week: Database, fake_slack) -> None:
    mark = fake_slack.mark()
    task = weekly_digest_task(SETTINGS, week, WebClient(token=BOT_TOKEN, base_url=fake_slack.url, retry_handlers=[]))
    task(naive(END - timedelta(hours=1)))
    fake_slack.fail("chat.postMessage", 500)
    with pytest.raises(Exception):
        task(naive(END + timedelta(seconds=5)))
    assert digest_posts(fake_slack, mark) == []
    assert task(naive(END + timedelta(minutes=1))) is None  # backing off
    assert task(naive(END + timedelta(minutes=6))) is not None
    assert task(naive(END + timedelta(minutes=7))) is None
    assert len(digest_posts(fake_slack, mark)) == 1


def test_weekly_task_needs_a_channel(database: Database, fake_slack) -> None:
    config = {**TEST_CONFIG, "digest": {"day": "monday", "time": "09:00", "timezone": "Europe/London"}}
    task = weekly_digest_task(Settings.model_validate(config), database, client_for(fake_slack))
    assert task(naive(END)) is None and task(naive(END + timedelta(days=8))) is None


def test_retention_task_runs_daily(database: Database) -> None:
    now = datetime(2026, 6, 15, 3, 0)
    with database.transaction() as s:
        add_record(s, (now - timedelta(days=SETTINGS.retention_days + 1)).replace(tzinfo=UTC), "share")
        add_record(s, (now - timedelta(days=1)).replace(tzinfo=UTC), "share")
    task = retention_task(SETTINGS, database)
    first = task(now)
    assert first is not None and first["records"] == 1
    assert task(now + timedelta(hours=23)) is None
    again = task(now + timedelta(hours=24, minutes=1))
    assert again is not None and again["records"] == 0
    other_db = Database(database.engine.url.render_as_string(hide_password=False))
    try:
        assert retention_task(SETTINGS, other_db)(now + timedelta(hours=25)) is None
    finally:
        other_db.engine.dispose()


# --- the command line -------------------------------------------------------------------------

def test_cli_digest_json_text_and_post(database: Database, fresh_db: str, fake_slack, tmp_path) -> None:
    import yaml

    from bot.cli import main

    now = datetime.now(UTC)
    with database.transaction() as s:
        add_record(s, now - timedelta(days=1), "do_not_share", team="school-nursing")
        add_record(s, now - timedelta(days=8), "share")
    cfg = tmp_path / "canishare.yml"
    cfg.write_text(yaml.safe_dump(TEST_CONFIG))
    env = {"DATABASE_URL": fresh_db, "CANISHARE_CONFIG": str(cfg), "SLACK_BOT_TOKEN": BOT_TOKEN,
           "SLACK_API_URL": fake_slack.url.rstrip("/")}
    runner = CliRunner()
    out = runner.invoke(main, ["digest", "--format", "json"], env=env)
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)  # stderr names the database
    for key in ("period_start", "period_end", "total", "by_outcome", "by_team", "unsure_at", "escalations"):
        assert key in d
    assert d["total"] == 1 and d["by_outcome"]["do_not_share"] == 1 and d["by_team"] == {"school-nursing": 1}
    assert d["previous"]["total"] == 1
    assert set(d["escalations"]) >= {"opened", "claimed", "resolved", "median_minutes_to_claim"}
    assert d["period_end"].endswith("Z")

    text = runner.invoke(main, ["digest", "--format", "text"], env=env)
    assert text.exit_code == 0 and "Do not share: 1" in text.output

    mark = fake_slack.mark()
    posted = runner.invoke(main, ["digest", "--format", "text", "--post"], env=env)
    assert posted.exit_code == 0, posted.output
    assert len(digest_posts(fake_slack, mark)) == 1

    no_token = runner.invoke(main, ["digest", "--post"], env={**env, "SLACK_BOT_TOKEN": ""})
    assert no_token.exit_code == 1 and "SLACK_BOT_TOKEN" in no_token.output

    refused = fake_slack.mark()
    fake_slack.fail("chat.postMessage", 400)
    failed = runner.invoke(main, ["digest", "--post"], env=env)
    assert failed.exit_code == 1 and digest_posts(fake_slack, refused) == []


def test_digest_counts_referrals_and_confirmations_on_time(database):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from storage.digest import compute_digest
    from storage.models import Referral

    made = datetime(2026, 3, 4, 10, 0)
    with database.transaction() as s:
        for confirmed_after in (timedelta(hours=3), timedelta(hours=60), None):  # on time, late, not yet
            s.add(Referral(record_id=f"rec{confirmed_after}", team="early-help", made_at=made,
                           confirm_by=made + timedelta(hours=48), decision_due=made + timedelta(days=1),
                           confirmed_at=made + confirmed_after if confirmed_after else None))
    with database.read_only() as s:
        digest = compute_digest(s, datetime(2026, 3, 9, 9, 0, tzinfo=ZoneInfo("Europe/London")), ZoneInfo("Europe/London"))
    assert digest["referrals"] == {"made": 3, "confirmed_in_writing": 2, "confirmed_on_time": 1}
    assert digest["previous"]["referrals"]["made"] == 0
