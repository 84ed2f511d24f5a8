"""Measuring a run: the machine's load, a server's health and log, and the database afterwards."""
from __future__ import annotations

import asyncio
import re
import time

import aiohttp

from .common import Proc
from .loadgen import LoadResult


def machine_jiffies() -> tuple[int, int]:
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return sum(fields) - fields[3] - fields[4], sum(fields)


def machine_busy(seconds: float = 1.0) -> float:
    a = machine_jiffies()
    time.sleep(seconds)
    b = machine_jiffies()
    return (b[0] - a[0]) / max(1, b[1] - a[1])


async def wait_healthy(proc: Proc, timeout: float = 60.0) -> float:
    """Seconds from the process's start until GET /healthz answers 200."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        while time.perf_counter() - proc.started_at < timeout:
            if proc.proc is not None and proc.proc.poll() is not None:
                raise RuntimeError(f"server exited ({proc.proc.returncode}):\n{proc.log()[-3000:]}")
            try:
                async with session.get(proc.url + "/healthz") as resp:
                    if resp.status == 200:
                        return time.perf_counter() - proc.started_at
            except (TimeoutError, aiohttp.ClientError):
                pass
            await asyncio.sleep(0.005)
    raise RuntimeError(f"server did not answer /healthz within {timeout} s:\n{proc.log()[-3000:]}")


def server_problems(text: str) -> dict[str, int]:
    """WARNING/ERROR lines of a server log, counted by their message (no payloads are logged)."""
    counts: dict[str, int] = {}
    for line in text.splitlines():
        m = re.search(r"\b(WARNING|ERROR|CRITICAL)\b (\S+): (.*)$", line)
        if m and "retention purge" not in line:
            key = f"{m.group(1)} {m.group(2)}: {m.group(3)[:120]}"
            counts[key] = counts.get(key, 0) + 1
    return counts


# --- the database afterwards --------------------------------------------------------------

def check_db(url: str, result: LoadResult, commands_acked: int | None = None) -> dict:
    """Every acknowledged click applied exactly once: path entries per conversation vs clicks."""
    from sqlalchemy import func, select

    from storage.db import Database
    from storage.models import ChainEntry, Conversation, Escalation, Record
    from storage.records import verify_chain

    db = Database(url)
    try:
        with db.read_only() as s:
            paths = {cid: len(path or []) for cid, path in s.execute(select(Conversation.id, Conversation.path))}
            records = s.execute(select(func.count()).select_from(Record)).scalar_one()
            outcome_entries = s.execute(select(func.count()).select_from(ChainEntry).where(ChainEntry.kind == "outcome")).scalar_one()
            outcome_records = s.execute(select(func.count(func.distinct(ChainEntry.record_id))).where(ChainEntry.kind == "outcome")).scalar_one()
            escalations = s.execute(select(func.count()).select_from(Escalation)).scalar_one()
            escalated = s.execute(select(func.count()).select_from(Record).where(Record.outcome.in_(("seek_advice", "urgent")))).scalar_one()
            chain = verify_chain(s)
    finally:
        db.engine.dispose()
    checked = lost = duplicated = expected = found = skipped = 0
    for cid, stat in result.convs.items():
        if stat.failed:
            skipped += 1
            continue
        checked += 1
        have = paths.get(cid, 0)
        expected += stat.acked
        found += have
        lost += max(0, stat.acked - have)
        duplicated += max(0, have - stat.acked)
    return {"conversations": len(paths), "checked": checked, "skipped": skipped, "expected": expected, "found": found,
            "lost": lost, "duplicated": duplicated, "double_clicks": result.doubles, "records": records,
            "outcome_entries": outcome_entries, "outcome_records": outcome_records, "escalations": escalations,
            "escalated_records": escalated, "chain_ok": chain.ok, "chain": str(chain),
            "ok": lost == 0 and duplicated == 0 and outcome_entries == records == outcome_records
            and escalations == escalated and chain.ok}


# --- the runs --------------------------------------------------------------------------------
