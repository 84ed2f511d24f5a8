"""Practitioners reaching their first outcomes at the same moment in a new database all get
their records (found by the benchmark: the chain head used to be created by the first writer)."""
import threading

from bot import conversations
from storage.records import verify_chain


def test_first_outcomes_at_the_same_moment_are_all_recorded(database):
    starts = [conversations.start(database, workspace="T0TEST", user_id=f"U0RACE{i}", team="early-help", policy="hmg-2008",
                         channel_id=None) for i in range(8)]
    barrier = threading.Barrier(len(starts))
    results = []

    def finish(convo_id, user):
        barrier.wait()
        results.append(conversations.answer(database, conversation_id=convo_id, user_id=user, node_id="danger", answer="yes",
                                   pseudonym_key="k" * 20).kind)

    threads = [threading.Thread(target=finish, args=(r.conversation.id, r.conversation.user_id)) for r in starts]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert results == ["outcome"] * 8
    with database.read_only() as s:
        report = verify_chain(s)
    assert report.ok and report.records == 8
