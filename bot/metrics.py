"""Prometheus metrics for `/metrics`: what a platform team scrapes next to its other services.

Two sources, so that the figures are right under several gunicorn workers:
- per-process counters and histograms (requests, acks, latencies, database errors), shared
  through prometheus-client's multiprocess mode when ``PROMETHEUS_MULTIPROC_DIR`` is set
  (``canishare serve`` sets it for its workers);
- figures the database already holds (outcomes, escalations, deliveries, outbox depth, the
  scheduler lease), read at scrape time, so every worker reports the same deployment-wide truth.

No label ever carries a user id, a channel id or free text: only kinds, outcome ids, Slack
error codes (a fixed vocabulary) and result names.
"""
from __future__ import annotations

import os
from typing import Iterable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import event, func, select

from storage.db import Database
from storage.models import DeliveryAttempt, Escalation, Job, Outbox, Record, utcnow

__all__ = ["CONTENT_TYPE_LATEST", "REQUESTS", "ACK_SECONDS", "NEXT_QUESTION_SECONDS", "DB_ERRORS",
           "render", "watch_database"]

# Seconds: Slack's 3-second ack limit and the 1-second target are the interesting edges.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)

REQUESTS = Counter("canishare_requests_total", "Requests on /slack/events by kind and HTTP status",
                   ["kind", "status"])
ACK_SECONDS = Histogram("canishare_ack_seconds", "Time from a Slack request arriving to its ack, by kind",
                        ["kind"], buckets=_LATENCY_BUCKETS)
NEXT_QUESTION_SECONDS = Histogram("canishare_click_to_next_question_seconds",
                                  "Time from an answer click arriving to the next question (or outcome) posted",
                                  buckets=_LATENCY_BUCKETS)
DB_ERRORS = Counter("canishare_database_errors_total", "Database errors seen by this deployment, by error class",
                    ["error"])

# Slack's error codes are a fixed vocabulary; anything else (an exception name) is folded so a
# label can never grow without bound.
_KNOWN_ERROR = set("abcdefghijklmnopqrstuvwxyz_0123456789")


def _error_label(code: str | None) -> str:
    code = (code or "none").lower()
    return code if len(code) <= 40 and set(code) <= _KNOWN_ERROR else "other"


class DatabaseCollector:
    """Deployment-wide figures read from the database at scrape time."""

    def __init__(self, db: Database):
        self.db = db

    def collect(self) -> Iterable:
        outcomes = CounterMetricFamily("canishare_outcomes", "Decisions reached, by outcome", labels=["outcome"])
        opened = CounterMetricFamily("canishare_escalations_opened", "Escalations opened", labels=["urgent"])
        claimed = CounterMetricFamily("canishare_escalations_claimed", "Escalations claimed by a lead")
        resolved = CounterMetricFamily("canishare_escalations_resolved", "Escalations resolved by a lead")
        open_now = GaugeMetricFamily("canishare_escalations_open", "Escalations open or claimed, not yet resolved")
        failures = CounterMetricFamily("canishare_delivery_failures", "Web API deliveries that failed, by result and Slack error",
                                       labels=["result", "error"])
        depth = GaugeMetricFamily("canishare_outbox_depth", "Messages waiting to be delivered, by kind", labels=["kind"])
        lease = GaugeMetricFamily("canishare_scheduler_lease", "1 while a process holds the scheduler lease",
                                  labels=["holder"])
        up = GaugeMetricFamily("canishare_database_up", "1 when the database answered this scrape")
        try:
            with self.db.read_only() as s:
                for outcome, n in s.execute(select(Record.outcome, func.count()).group_by(Record.outcome)):
                    outcomes.add_metric([outcome], n)
                for urgent, n in s.execute(select(Escalation.urgent, func.count()).group_by(Escalation.urgent)):
                    opened.add_metric(["true" if urgent else "false"], n)
                claimed.add_metric([], s.scalar(select(func.count()).where(Escalation.claimed_at.is_not(None))) or 0)
                resolved.add_metric([], s.scalar(select(func.count()).where(Escalation.resolved_at.is_not(None))) or 0)
                open_now.add_metric([], s.scalar(select(func.count()).where(Escalation.status != "resolved")) or 0)
                rows = s.execute(select(DeliveryAttempt.result, DeliveryAttempt.error, func.count())
                                 .where(DeliveryAttempt.result.not_in(("delivered", "found")))
                                 .group_by(DeliveryAttempt.result, DeliveryAttempt.error))
                folded: dict[tuple[str, str], int] = {}
                for result, error, n in rows:
                    key = (result, _error_label(error))
                    folded[key] = folded.get(key, 0) + n
                for (result, error), n in sorted(folded.items()):
                    failures.add_metric([result, error], n)
                for kind, n in s.execute(select(Outbox.kind, func.count()).where(Outbox.status == "pending")
                                         .group_by(Outbox.kind)):
                    depth.add_metric([kind], n)
                job = s.get(Job, "scheduler")
                if job is not None and job.lease_owner and job.lease_until and job.lease_until > utcnow():
                    # the owner is "host:pid:nonce"; host and pid are what an operator looks for
                    lease.add_metric([":".join(job.lease_owner.split(":")[:2])], 1)
            up.add_metric([], 1)
        except Exception:  # noqa: BLE001 - a scrape must answer even when the database does not
            up.add_metric([], 0)
            yield up
            return
        yield from (outcomes, opened, claimed, resolved, open_now, failures, depth, lease, up)


def watch_database(db: Database) -> None:
    """Count the engine's errors by class (OperationalError, IntegrityError ...), never their text."""

    @event.listens_for(db.engine, "handle_error")
    def _count(context) -> None:  # pragma: no cover - exercised through the e2e metrics test
        DB_ERRORS.labels(type(context.original_exception).__name__).inc()


def render(db: Database) -> tuple[bytes, str]:
    """The text of one scrape: this process's (or all workers') metrics plus the database's."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        for collector in (REQUESTS, ACK_SECONDS, NEXT_QUESTION_SECONDS, DB_ERRORS):
            registry.register(collector)
    registry.register(DatabaseCollector(db))
    return generate_latest(registry), CONTENT_TYPE_LATEST
