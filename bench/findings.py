"""What a run's numbers say: each target met or missed, with causes and fixes."""
from __future__ import annotations

import os

from .common import ROOT, ms
from .runner import BEFORE, Bench


def purge_short(line: str | None) -> str:
    """The purge's counts that are not zero, from the bot's log line."""
    if not line:
        return "—"
    counts = [part.strip() for part in line.split(",") if not part.strip().endswith(" 0")]
    return ", ".join(counts) or "nothing due"


def others(row: dict) -> float:
    """Cores used during the window by processes that are not part of the run."""
    cpu = row.get("cpu") or {}
    total = cpu.get("machine_busy", 0) * (os.cpu_count() or 1)
    return max(0.0, total - cpu.get("server_cores", 0) - cpu.get("postgres_cores", 0) - cpu.get("loadgen_cores", 0))


def cpu_text(row: dict) -> str:
    cpu = row.get("cpu") or {}
    flag = f" **+{others(row):.1f} other**" if others(row) > 0.3 else ""
    return (f"{cpu.get('server_cores', 0):.2f} / {cpu.get('postgres_cores', 0):.2f} / {cpu.get('loadgen_cores', 0):.2f} / "
            f"{cpu.get('machine_busy', 0):.0%}{flag}")


def bound(row: dict) -> str:
    """What limits a row's figures, from its CPU columns and settings."""
    cpu = row.get("cpu") or {}
    server, busy = cpu.get("server_cores", 0), cpu.get("machine_busy", 0)
    workers = row.get("workers") or 1
    if others(row) > 0.3:
        return f"shared: other processes used {others(row):.1f} cores"
    if busy >= 0.85:
        return "the machine's 2 cores (server, PostgreSQL and load generator together)"
    if server >= 0.85 * min(workers, 2) and workers == 1:
        return "CPU: the one server process's GIL (1 core)"
    if row.get("delay_ms"):
        return f"Slack's {row['delay_ms']:.0f} ms per call (threads waiting)" if row.get("practitioners", 50) > 1 else \
            "one practitioner's own clicks"
    if row.get("practitioners") == 1:
        return "one practitioner's own clicks (per-click work)"
    return "per-click work (CPU not saturated)"


def yes(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def matching_floor(b: Bench) -> tuple[dict | None, str]:
    """The floor with the same process_before_response as the app as shipped."""
    pbr = b.shipped.get("process_before_response")
    if pbr:
        return b.rows.get("floor-pbr"), "process_before_response=True, as the bot"
    return b.rows.get("floor-paced"), "process_before_response=False, as the bot"


def shipped_text(b: Bench) -> str:
    s = b.shipped
    if not s:
        return "as shipped"
    return (f"process_before_response={s.get('process_before_response')}, a listener executor of "
            f"{s.get('executor_threads')} threads, {s.get('handoff_listeners')} of {s.get('listeners')} listeners acking at once "
            "and handing their work to it")


def findings(b: Bench, growth: list[dict], startup: list[dict]) -> list[str]:
    """What the numbers say, with this run's figures; causes and fixes where something is missed."""
    r = b.rows
    out: list[str] = []
    trip0, trip100, floor0, floor100 = r.get("trip-bot-0"), r.get("trip-bot-100"), r.get("trip-floor-0"), r.get("trip-floor-100")
    if trip0 and trip100 and floor0 and floor100:
        o0, o100 = trip0.get("order") or {}, trip100.get("order") or {}
        out.append(
            f"**One round trip per click**: from the fake Slack's call log, in {o0.get('clicks', 0) + o100.get('clicks', 0)} "
            f"traced clicks the bot made {o0.get('with_calls_before_post', 0) + o100.get('with_calls_before_post', 0)} Web "
            "API calls before posting the next question (no conversations.open, auth.test, conversations.history or "
            f"chat.update first), and the rewrite of the answered message came after the post in every click that had "
            f"one ({o0.get('rewrite_before_post', 0) + o100.get('rewrite_before_post', 0)} before it). So the next "
            "question reaches Slack after one round trip, as with the floor; what is left between the two is the "
            f"bot's own work before the post: 1 practitioner, {ms(trip0['feel_p50'])} vs {ms(floor0['feel_p50'])} ms "
            f"p50 with Slack at once ({trip0['feel_p50'] / floor0['feel_p50']:.1f}x), {ms(trip100['feel_p50'])} vs "
            f"{ms(floor100['feel_p50'])} ms with Slack at 100 ms ({trip100['feel_p50'] / floor100['feel_p50']:.1f}x). "
            "Before its post the bot checks the signature once (bot/server.py; Bolt's own check is off), passes "
            "its workspace middleware, hands the click from its ack straight to the listener executor (no lazy "
            "listener, so Bolt does not deep-copy the request) and writes the answer in one transaction (read the "
            "conversation, write its path with the version check, the outcome record and chain entry when there "
            "is one, the next step's outbox row born taken); the floor only posts, from a lazy listener. After the "
            "post the bot sends the rewrite and leaves the delivery's \"sent\" mark to a thread that writes them in "
            "batches; with Slack at once, that work overlaps the practitioner's next click.")
    base, floor, fpb = r.get("bot-sqlite-1"), r.get("floor-paced"), r.get("floor-pbr")
    fmatch, fname = matching_floor(b)
    before, before_poll = r.get("var-before"), r.get("var-before-poll1")
    s100, s100b, s100p5 = r.get("slack100-default"), r.get("slack100-before"), r.get("slack100-pool5")
    thd, thb = r.get("think-default"), r.get("think-before")
    pbr = bool(b.shipped.get("process_before_response"))

    def pair(row: dict | None, what: str = "ack") -> str:
        return "n/a" if not row else f"{ms(row[what + '_p50'])} / {ms(row[what + '_p99'])} ms"

    if base and fmatch:
        ok50 = base["ack_p50"] <= 2 * fmatch["ack_p50"]
        ok99 = base["ack_p99"] < 0.05
        text = (f"**Ack latency as shipped** ({shipped_text(b)}): {pair(base)} (p50 / p99) with 50 practitioners "
                f"clicking flat out, against the floor's {ms(fmatch['ack_p50'])} ms p50 ({fname}): "
                f"{base['ack_p50'] / fmatch['ack_p50']:.1f}x — p50 target {'met' if ok50 else 'missed'}, "
                f"p99 < 50 ms {'met' if ok99 else 'missed'}.")
        if pbr and before:
            text += (f" Before the ack/lazy split (Bolt's defaults, process_before_response=False and 5 executor "
                     f"threads, bench variant `{BEFORE}` on today's listeners) the same load gets {pair(before)}: "
                     "the listener, `ack()` included, ran on Bolt's 5-thread executor (slack_bolt/app/app.py:354) "
                     "while the request thread waited for it (slack_bolt/listener/thread_runner.py:163), so each "
                     "ack queued behind whole clicks (database work and two Slack Web API calls) of other "
                     "practitioners and became as slow as the answer.")
        elif not pbr:
            text += (" Cause: with process_before_response=False Bolt runs the listener, `ack()` included, on its "
                     "executor (5 threads by default, slack_bolt/app/app.py:354) and the request thread waits for it "
                     "(slack_bolt/listener/thread_runner.py:163), so each ack queues behind other clicks' whole work. "
                     "Fix: process_before_response=True with every listener acking at once and handing its work to the "
                     "executor (bot/listeners.acked), and "
                     "`listener_executor=ThreadPoolExecutor(max_workers=32)` in `App(...)` (bot/app.py).")
        if pbr and not ok50:
            solo = growth[0]["solo"]["ack_p50"] if growth else float("nan")
            cpu = (base.get("cpu") or {}).get("server_cores", 0)
            text += (f" Unloaded (1 practitioner, growth runs) a click acks in {ms(solo)} ms; the rest under load is the "
                     f"request thread waiting for the GIL while executor threads run other clicks' work (the process "
                     f"uses {cpu:.2f} cores, i.e. all one GIL allows). Behind the floor's acks there is one post per click; behind "
                     "the bot's, a transaction, the post, the rewrite and a batched \"sent\" mark.")
        if pbr and not ok99:
            cpu = (base.get("cpu") or {}).get("server_cores", 0)
            text += (f" The p99 is CPU: the one worker process is busy ({cpu:.2f} cores, the GIL's limit is 1) and the "
                     f"request thread that acks competes for the GIL with the {b.shipped.get('executor_threads')} "
                     "executor threads doing other clicks' work")
            smaller = [(k, r.get(k)) for k in ("var-pool16", "var-pool5") if r.get(k)]
            if smaller:
                text += ("; with fewer executor threads the same load acks in " + ", ".join(
                    f"{pair(row)} ({row['variant'].split('pool=')[-1]} threads)" for _, row in smaller))
            text += "; with think time (below) it is gone."
        out.append(text)
    if s100:
        text = (f"**With Slack's real latency** (every Web API call answered after 100 ms): as shipped "
                f"{pair(s100)} ack, {s100['rate']:.1f} clicks/s, next question {pair(s100, 'feel')}")
        if s100b:
            text += (f"; with Bolt's defaults (`{BEFORE}`) {pair(s100b)} ack (Slack gives up at 3 s) and "
                     f"{s100b['rate']:.1f} clicks/s")
        if s100p5:
            text += (f"; lazy listeners but Bolt's 5 executor threads: {pair(s100p5)} ack, {s100p5['rate']:.1f} "
                     "clicks/s — 5 threads x 2 calls of 100 ms per click cap a process near 25 clicks/s, "
                     "which is why the executor needs more threads than Bolt's default")
        out.append(text + ".")
    sweep = [(label, r.get(k0), r.get(k1)) for label, k0, k1 in (
        ("5", "var-pool5", "slack100-pool5"), ("16", "var-pool16", "slack100-pool16"),
        (str(b.shipped.get("executor_threads", "shipped")) + " (as shipped)", "bot-sqlite-1", "slack100-default"))]
    if all(a and c for _, a, c in sweep):
        text = ("**How many executor threads** (process_before_response=True; next question p50 / p99, clicks/s): "
                + "; ".join(f"{label} threads: {pair(a, 'feel')}, {a['rate']:.0f}/s with the fake Slack answering at "
                            f"once, {pair(c, 'feel')}, {c['rate']:.0f}/s with 100 ms" for label, a, c in sweep)
                + ". With Slack's latency the threads wait on I/O and more of them carry more clicks; when the one "
                  "process is short of CPU (50 practitioners flat out), every runnable thread takes turns at the GIL, "
                  "so a click that needs the GIL a dozen times (each query, each Web API call) waits a round of "
                  "all the others each time: more threads means a longer tail rather than more throughput.")
        pg1 = r.get("bot-pg-1")
        if pg1:
            text += (f" On PostgreSQL the shipped process has {b.shipped.get('executor_threads')} executor threads and "
                     "an engine pool sized to them plus the request and background threads (bot/app.py `pool_size`), "
                     f"so no click waits for a connection (PostgreSQL, 1 worker: ack {pair(pg1)}, next "
                     f"question {pair(pg1, 'feel')}).")
        p16, s16 = r.get("var-pool16"), r.get("slack100-pool16")
        shipped_threads = b.shipped.get("executor_threads")
        if p16 and s16 and s100 and base and shipped_threads != 16:
            text += (f" Proposed (bot/app.py, `ThreadPoolExecutor(max_workers=...)`): 16 threads per process — acks "
                     f"{pair(p16)} flat out and {pair(s16)} with Slack at 100 ms ({shipped_threads}: {pair(base)} and "
                     f"{pair(s100)}), "
                     f"for {s16['rate']:.0f} instead of {s100['rate']:.0f} clicks/s per process when every Slack call "
                     "takes 100 ms; keep pool_size + max_overflow >= the thread count, and add `--workers` (processes, "
                     "each with its own GIL) for more throughput where there are cores.")
        out.append(text)
    if thd:
        text = (f"**Closer to real use** (50 practitioners reading 1-3 s before each click, Slack answering in "
                f"100 ms, ~{thd['rate']:.0f} clicks/s): as shipped the ack is {pair(thd)} and the next question "
                f"{pair(thd, 'feel')}")
        if thb:
            text += f"; with Bolt's defaults {pair(thb)} and {pair(thb, 'feel')}"
        out.append(text + ".")
    if floor and fpb:
        text = (f"**Bolt's 10 ms ack poll** (slack_bolt/listener/thread_runner.py:163-164) is "
                f"{(floor['ack_p50'] - fpb['ack_p50']) * 1000:.0f} ms of the floor's {ms(floor['ack_p50'])} ms p50 "
                f"with process_before_response=False ({ms(fpb['ack_p50'])} ms with True)")
        if before and before_poll:
            text += (f"; on the bot with Bolt's defaults a 1 ms poll changes {pair(before)} to {pair(before_poll)}: "
                     "under load the executor queue, not the poll, dominated")
        out.append(text + (". With process_before_response=True, as shipped, there is no poll." if pbr else "."))
    bad_start = [s for s in startup if s.get("status") not in (0, 200)]
    if bad_start:
        msgs = sorted({m for s in bad_start for m in s.get("problems", {}) if " canishare." in f" {m}"})
        text = (f"**/canishare typed in the bot's DM is refused**: HTTP {bad_start[0]['status']} (server log: "
                f"{'; '.join(msgs[:3]) or 'nothing'}), so a practitioner who asks in the DM gets an error and no "
                "question. (The load above types /canishare in a channel, as the e2e tests do, which works.)")
        listeners = (ROOT / "bot" / "listeners" / "__init__.py").read_text()
        if "ack(reply(body)) if reply else ack()" in listeners:
            line = next(i for i, l in enumerate(listeners.splitlines(), 1) if "ack(reply(body)) if reply else ack()" in l)
            text += (f" Cause: `acked()`'s `ack_now` (bot/listeners.py:{line}) calls `ack(reply(body))`, and "
                     "`command_reply` returns None in a DM; Bolt's `ack()` takes only a str or a dict "
                     "(slack_bolt/context/ack/internals.py) and raises BoltError for None, which `on_error` turns "
                     "into a 400. One-line fix: `ack(reply(body) or \"\") if reply else ack()`.")
        out.append(text)
    fails = [row for row in r.values() if "check" in row and not row["check"]["ok"]]
    raced = {kind: res for kind, res in b.race.items() if res["recorded"] < res["n"]}
    checks = [row for row in r.values() if "check" in row]
    if fails or raced:
        text = "**Exactly-once: "
        if fails:
            msgs = sorted({m for row in fails for m in row.get("problems", {})})
            text += ("acked clicks were lost in " + ", ".join(
                f"{row['label']} ({row['db']}, {row['workers']} worker(s)): {row['check']['lost']} lost, "
                f"{row['check']['duplicated']} duplicated" for row in fails) + ".** Server log: " + "; ".join(msgs[:4]) + ". ")
        else:
            text += "no click was lost under load this time, but the race below is real.** "
        if raced:
            text += ("Race test: " + "; ".join(f"{kind}: {res['recorded']} of {res['n']} first outcomes recorded"
                                               for kind, res in raced.items()) + ". Cause: a new database has no "
                     "chain head row and `_claim_head` (storage/records.py) creates it on the first outcome; "
                     "concurrent first outcomes all INSERT id=1 and all but one fail with UniqueViolation, rolling "
                     "back clicks already acked. Fix: seed the row in a migration.")
        out.append(text)
    elif checks:
        total = sum(row["check"]["expected"] for row in checks)
        doubles = sum(row["check"]["double_clicks"] for row in checks)
        out.append(f"**Exactly-once holds**: {total:,} acked clicks over {len(checks)} runs (SQLite and PostgreSQL "
                   f"with 1, 2 and 4 workers), {doubles} of them double clicks, each applied once; every record has "
                   "one outcome entry and the chain verifies. Eight first outcomes at the same moment in a new "
                   "database are all recorded on both databases (the chain head is seeded by migration 0002).")
    thr = [r[k] for k in ("bot-sqlite-1", "bot-pg-1", "bot-pg-2", "bot-pg-4") if k in r]
    if thr:
        text = ("**Throughput** (clicks/s, 50 practitioners flat out): "
                + ", ".join(f"{row['db']} x{row['workers']}: {row['rate']:.0f}" for row in thr)
                + ". More workers barely help on this machine: it has 2 cores and the server, PostgreSQL and the "
                  "load generator with its fake Slack share them (machine-busy column), so one worker already uses "
                  "most of what is left.")
        if b.profile:
            shares = b.profile.get("shares") or {}
            slack = next((v for k, v in shares.items() if k.startswith("Slack")), 0)
            kit = next((v for k, v in shares.items() if k.startswith("Block Kit")), 0)
            db_share = next((v for k, v in shares.items() if k.startswith("database")), 0)
            text += (f" A click costs {b.profile.get('per_click_ms', float('nan')):.1f} ms of app time on one thread: "
                     f"{slack:.0%} Slack Web API calls (slack_sdk opens a new connection per call; with real Slack a "
                     f"TLS handshake each time), {db_share:.0%} database, {kit:.0%} turning Block Kit objects into "
                     "dicts (questions and answered questions are rendered once per node and filled in, "
                     "bot/blocks.py `question_dicts`; what is left is the outcome message, once per decision).")
        out.append(text)
    if growth:
        first, last = growth[0], growth[-1]
        text = (f"**Growth**: from {first['size']:,} to {last['size']:,} stored records the unloaded click stays at "
                f"{ms(first['solo']['feel_p50'])} → {ms(last['solo']['feel_p50'])} ms p50 to the next message, and "
                f"/canishare → first question {ms(first['solo']['start_feel_p50'])} → {ms(last['solo']['start_feel_p50'])} "
                "ms: the click path is primary-key reads and writes plus indexed lookups. One transitions.Machine per "
                "process (flow_for: one miss, every other click a hit).")
        worst = max(growth, key=lambda g: g["solo"]["feel_max"])
        if worst["solo"]["feel_max"] > 0.5:
            text += (f" But single clicks stall: the worst in the {worst['size']:,}-record run took "
                     f"{worst['solo']['feel_max']:.1f} s (p99 {ms(worst['solo']['feel_p99'])} ms), while the retention "
                     f"purge that every new process runs ~2 s after start was deleting that history's abandoned "
                     f"conversations ({purge_short(worst['solo'].get('purge')) if worst['solo'].get('purge') else 'it had not finished when the run ended'}). Each purge batch is a write "
                     "transaction, and on SQLite a click's transaction (BEGIN IMMEDIATE) waits for it. Before the purge "
                     "was batched (storage/retention.py, `purge_in_batches`, before the change that limits the "
                     "abandoned-conversation and seen-request deletes too) one 92k-row delete held the lock for 5 s; "
                     "batched, each batch holds it ~0.15-0.2 s at 100k records, yet a click can still wait about a "
                     "second: SQLite's busy handler sleeps with back-off (up to 100 ms per try), so a waiting click "
                     "can miss the short gap between two back-to-back batches. A pause between batches (a "
                     "`time.sleep(0.05)` after each commit in `purge_in_batches`) is the obvious next try; one 8 s "
                     "trial here was inconclusive, so it is proposed, not claimed. Worth a look before a first purge "
                     "on a big SQLite database (an upgrade, or after a long stop); PostgreSQL has row locks only.")
        out.append(text)
    if startup:
        first = startup[0]
        out.append(f"**Start-up**: {first['healthz']:.1f} s to /healthz on a fresh SQLite database, the first signed "
                   "request answered right after; most of it is imports (alembic, imported at start by storage/db.py "
                   "even when there is nothing to migrate). No action needed.")
    return out
