"""The run written up as bench/results.md."""
from __future__ import annotations

import math
import os
import platform
from datetime import datetime
from pathlib import Path

from .common import ROOT, ms
from .runner import BEFORE, Bench, SLACK100, THINKING, VARIANTS
from .findings import bound, cpu_text, findings, matching_floor, others, purge_short, shipped_text, yes

# (key of the bot's row, key of the floor's row, what the pair is)
TRIP_PAIRS = (("trip-bot-0", "trip-floor-0", "1 practitioner, SQLite, Slack at once"),
              ("trip-bot-100", "trip-floor-100", "1 practitioner, SQLite, Slack at 100 ms"),
              ("bot-sqlite-1", "floor-pbr", "50 concurrent clicking flat out, SQLite, Slack at once (floor paced at the bot's rate)"),
              ("bot-pg-1", "floor-pbr", "50 concurrent clicking flat out, PostgreSQL, Slack at once (floor paced at the SQLite bot's rate)"),
              ("slack100-default", "floor-pbr-100", "50 concurrent clicking flat out, SQLite, Slack at 100 ms (floor paced at the bot's rate)"),
              ("think-default", "floor-think-100", "50 practitioners reading 1-3 s before each click, SQLite, Slack at 100 ms "
               "(floor paced at the bot's rate)"))


def trip_section(b: Bench) -> list[str]:
    """Click -> next question visible, the bot against the floor, and the calls before the post."""
    r = b.rows
    L = ["## 0. Click → next question: the bot against the floor (one round trip)", "",
         "| case | floor next question p50 / p90 / p99 (ms) | bot next question p50 / p90 / p99 (ms) | ratio p50 | "
         "bot ack p50 / p90 / p99 (ms) | bot clicks/s | bound by | load avg (1 min) |",
         "|---|---|---|---:|---|---:|---|---:|"]
    for bot_key, floor_key, what in TRIP_PAIRS:
        bot, floor = r.get(bot_key), r.get(floor_key)
        if not bot or not floor:
            continue
        ratio = bot["feel_p50"] / floor["feel_p50"]
        L.append(f"| {what} | {ms(floor['feel_p50'])} / {ms(floor.get('feel_p90', float('nan')))} / {ms(floor['feel_p99'])} | "
                 f"{ms(bot['feel_p50'])} / {ms(bot.get('feel_p90', float('nan')))} / {ms(bot['feel_p99'])} | {ratio:.2f}x | "
                 f"{ms(bot['ack_p50'])} / {ms(bot.get('ack_p90', float('nan')))} / {ms(bot['ack_p99'])} | {bot['rate']:.1f} | "
                 f"{bound(bot)} | {bot.get('loadavg', float('nan')):.2f} |")
    L.append("")
    L.append("**Next question** here is the time from sending the click to the moment the fake Slack *receives* the "
             "bot's chat.postMessage of the next question or outcome (what a practitioner would see then; the fake's "
             "100 ms is spent after that, before it answers). The floor (bench/floor_app.py) is a bare slack-bolt App on "
             "the same gunicorn that acks the click in the request thread (process_before_response=True, as the bot) and "
             "posts one message of the same size from a lazy listener; its clickers wait for that post before clicking "
             "again. Traced runs send no double clicks.")
    L.append("")
    for key in ("trip-bot-0", "trip-bot-100"):
        row = r.get(key)
        order = row.get("order") if row else None
        if not order:
            continue
        calls = ", ".join(f"{m} x{n}" for m, n in sorted(order["calls_before_post"].items())) or "none"
        L.append(f"- Web API calls the bot made between a click and its next question's post ({row['label']}, "
                 f"Slack {'at 100 ms' if row.get('delay_ms') else 'at once'}, {order['clicks']} clicks, from the fake's "
                 f"call log): {calls}; clicks with any: {order['with_calls_before_post']}. The rewrite of the answered "
                 f"message (chat.update) arrived after the post in {order['rewrite_after_post']} clicks, before it in "
                 f"{order['rewrite_before_post']}.")
    L.append("")
    return L


def trip_targets(b: Bench) -> list[str]:
    r = b.rows
    out = []
    for bot_key, floor_key, what in TRIP_PAIRS:
        bot, floor = r.get(bot_key), r.get(floor_key)
        if not bot or not floor:
            continue
        ratio = bot["feel_p50"] / floor["feel_p50"]
        limit = 1.25 if bot.get("delay_ms") else 2.0
        out.append(f"| next question p50 <= {limit:g}x the floor's ({what}) | {ms(bot['feel_p50'])} ms vs "
                   f"{ms(floor['feel_p50'])} ms = {ratio:.2f}x (load avg {bot.get('loadavg', float('nan')):.2f}) | "
                   f"{yes(ratio <= limit)} |")
        if bot.get("practitioners", 50) > 1 and not bot.get("delay_ms"):
            out.append(f"| p99 < 50 ms with 50 concurrent ({bot['db']}, 1 worker, Slack at once): ack / next question | "
                       f"{ms(bot['ack_p99'])} ms / {ms(bot['feel_p99'])} ms | {yes(bot['ack_p99'] < 0.05)} / "
                       f"{yes(bot['feel_p99'] < 0.05)} |")
    for key in ("trip-bot-0", "trip-bot-100"):
        order = (r.get(key) or {}).get("order")
        if order:
            out.append(f"| no Web API call before the next question's post; the rewrite after it ({key}) | "
                       f"{order['with_calls_before_post']} of {order['clicks']} clicks with a call before; rewrite "
                       f"before the post in {order['rewrite_before_post']} | "
                       f"{yes(order['with_calls_before_post'] == 0 and order['rewrite_before_post'] == 0)} |")
    return out


def report(b: Bench, started: datetime, elapsed: float, startup: list[dict], growth: list[dict],
           digest_table: str, digest_note: str, profile_path: Path | None, busy_before: float) -> str:
    r = b.rows
    L: list[str] = []
    add = L.append
    nproc = os.cpu_count()
    pyver = platform.python_version()
    import sqlalchemy
    from slack_bolt.version import __version__ as bolt_version
    add("# canishare benchmark results")
    add("")
    add(f"- Date: {started.strftime('%Y-%m-%d %H:%M UTC')}; whole run {elapsed / 60:.1f} min (`bench/run`"
        + (" --quick" if b.args.quick else "") + ")")
    add(f"- Machine: {nproc} CPUs (nproc), {platform.machine()}, Linux {platform.release()}; Python {pyver}; "
        f"slack-bolt {bolt_version}, SQLAlchemy {sqlalchemy.__version__}; PostgreSQL "
        + ("local" if b.pg else "not reachable: PostgreSQL rows skipped"))
    add(f"- Machine busy before the run (other processes): {busy_before:.0%} of all CPUs"
        + (" — **other work was running; figures are pessimistic**" if busy_before > 0.15 else ""))
    add("- Everything on loopback: server under test on 127.0.0.1, fake Slack Web API in the load generator "
        "(bench/fakeslack.py, answers at once unless a row says otherwise), local PostgreSQL.")
    add("- Load: simulated practitioners, each a closed loop: a signed `/canishare`, then click an answer button "
        "of the question the bot posted (the block_actions payload carries that real message), wait for the next "
        "question or the outcome, click again at once (no think time), over six walks of 1-7 clicks "
        "(tests/e2e/test_walks.py). Every 20th click is sent twice at the same moment (a double click).")
    add(f"- `canishare serve` as shipped: 1 worker, 8 threads unless a row says otherwise. Windows: "
        f"{b.d.warmup:g} s warm-up then {b.d.measure:g} s measured (variants and floor {b.d.short_warmup:g}+{b.d.short_measure:g} s).")
    add("")
    add("Terms: **ack** = time from sending the signed request to the complete HTTP response (what Slack waits "
        "for, 3 s limit); **next message** = click sent → the bot's next question or outcome arrives at the "
        "fake Slack (what the practitioner sees); **clicks/s** = clicks whose next message arrived in the measured "
        "window, per second; p50/p99 over the clicks sent in the window. CPU columns: cores used by the server's "
        "processes, PostgreSQL's, the load generator's (with the fake Slack), and how busy the whole machine was; "
        "**+N other** marks a window in which other processes (not this run's) used N cores.")
    add("")

    # Targets
    base = r.get("bot-sqlite-1")
    add("## Targets")
    add("")
    add("| target | measured | verdict |")
    add("|---|---|---|")
    for line in trip_targets(b):
        add(line)
    fmatch, fname = matching_floor(b)
    if base and fmatch:
        ratio = base["ack_p50"] / fmatch["ack_p50"]
        add(f"| bot ack p50 <= 2x floor ack p50 (50 concurrent, SQLite, 1 worker; floor with {fname}) | "
            f"{ms(base['ack_p50'])} ms vs {ms(fmatch['ack_p50'])} ms at the same click rate = {ratio:.1f}x | {yes(ratio <= 2)} |")
        add(f"| bot ack p99 < 50 ms with 50 concurrent (SQLite, 1 worker) | {ms(base['ack_p99'])} ms | {yes(base['ack_p99'] < 0.05)} |")
    pg1 = r.get("bot-pg-1")
    if pg1 and fmatch:
        add(f"| the same on PostgreSQL, 1 worker | p50 {ms(pg1['ack_p50'])} ms ({pg1['ack_p50'] / fmatch['ack_p50']:.1f}x), "
            f"p99 {ms(pg1['ack_p99'])} ms | {yes(pg1['ack_p50'] <= 2 * fmatch['ack_p50'])} / {yes(pg1['ack_p99'] < 0.05)} |")
    before = r.get("var-before")
    if before and b.shipped.get("process_before_response"):
        add(f"| for comparison: Bolt's defaults (process_before_response=False, 5 threads; `{BEFORE}`) | "
            f"p50 {ms(before['ack_p50'])} ms, p99 {ms(before['ack_p99'])} ms | — |")
    thd = r.get("think-default")
    if thd:
        add(f"| 50 practitioners reading 1-3 s before each click, Slack answering in 100 ms: ack p99 < 50 ms | "
            f"p50 {ms(thd['ack_p50'])} ms, p99 {ms(thd['ack_p99'])} ms | {yes(thd['ack_p99'] < 0.05)} |")
    checks = [row for row in r.values() if "check" in row]
    if checks:
        bad = [row["label"] for row in checks if not row["check"]["ok"]]
        total = sum(row["check"]["expected"] for row in checks)
        add(f"| every acked click applied exactly once ({len(checks)} runs) | {total:,} clicks checked; "
            + ("all applied once" if not bad else "problems in: " + ", ".join(bad)) + f" | {yes(not bad)} |")
    if growth:
        first, last = growth[0], growth[-1]
        grew = last["solo"]["feel_p50"] / first["solo"]["feel_p50"]
        add(f"| per-click latency does not grow with stored records ({first['size']:,} → {last['size']:,}) | "
            f"1 practitioner: next message p50 {ms(first['solo']['feel_p50'])} → {ms(last['solo']['feel_p50'])} ms "
            f"({grew:.2f}x), p99 {ms(first['solo']['feel_p99'])} → {ms(last['solo']['feel_p99'])} ms, worst "
            f"{ms(first['solo']['feel_max'])} → {ms(last['solo']['feel_max'])} ms | {yes(grew < 1.5)} (p50)"
            + ("" if last['solo']['feel_max'] < 0.5 else ", **missed** (worst click: see findings)") + " |")
        machines = [s for g in growth for s in (g["loaded"].get("stats") or [])]
        if machines:
            most = max(s["machines"] for s in machines)
            add(f"| the state machine is built once per process | every serving process reported "
                f"{most} transitions.Machine built after thousands of clicks (flow_for misses "
                f"{max(s['flow_for']['misses'] for s in machines)}) | {yes(most == 1)} |")
    if startup:
        first = startup[0]
        ok = all(st.get("status") == 200 for st in startup if st.get("status"))
        add(f"| start-up: `canishare serve` answers /healthz and a first signed /canishare (typed in the DM) | "
            f"/healthz after {first['healthz']:.2f} s, /canishare answered HTTP {first['status']} after "
            f"{first['acked_at']:.2f} s | {yes(ok)} |")
    add("")

    L.extend(trip_section(b))

    # 1. Ack latency
    add("## 1. Ack latency per click: the bot against the floor (50 concurrent)")
    add("")
    add("| server | config | ack p50 (ms) | ack p99 (ms) | ack max (ms) | next message p50 / p99 (ms) | clicks/s | /canishare ack p50 / p99 (ms) | CPU cores: server / postgres / loadgen, machine busy |")
    add("|---|---|---:|---:|---:|---|---:|---|---|")
    order = ["floor-paced", "floor-pbr", "floor-flat", "floor-pbr-100", "floor-think-100", "bot-sqlite-1", "bot-pg-1",
             *(k for k, _ in VARIANTS), *(k for k, _ in SLACK100), *(k for k, _ in THINKING)]
    for key in order:
        row = r.get(key)
        if not row:
            continue
        cpu_s = cpu_text(row)
        feel = f"{ms(row['feel_p50'])} / {ms(row['feel_p99'])}"
        cmd = "—" if row["variant"] == "floor" else f"{ms(row['cmd_p50'])} / {ms(row['cmd_p99'])}"
        config = row["variant"] if row["variant"] and row["variant"] != "floor" else ("as shipped" if row["variant"] != "floor" else "")
        if row["variant"] == "floor":
            config = ("process_before_response=True (as the bot)" if row.get("before_response") else "process_before_response=False") + \
                     (f", paced at {row['paced']:.0f} clicks/s" if row.get("paced") else ", flat out")
        if row.get("delay_ms"):
            config += f"; Slack API answers in {row['delay_ms']:.0f} ms"
        if row.get("think"):
            config += f"; practitioners think {row['think'][0]:g}-{row['think'][1]:g} s before each click"
        db = f"{row['db']}, " if row["db"] != "-" else ""
        add(f"| {row['label']} | {db}{config} | {ms(row['ack_p50'])} | {ms(row['ack_p99'])} | {ms(row['ack_max'])} | {feel} | "
            f"{row['rate']:.1f} | {cmd} | {cpu_s} |")
    add("")
    add("Floor rows: a bare slack-bolt App (bench/floor_app.py) that acks and posts one message, on the same gunicorn "
        "(gthread, same workers and threads), clicked by 50 concurrent clickers with the same payloads; "
        "\"paced\" offers the click rate the bot sustained in the SQLite run above, so both are compared at the same "
        f"load. The app as shipped: {shipped_text(b)}. Variant rows run the real app with Bolt settings changed after "
        "build_app (bench/variant_serve.py): `pbr=0|1` process_before_response off/on, `pool=N` the listener executor "
        f"with N threads, `poll=1` Bolt's ack wait loop polling every 1 ms instead of 10; `{BEFORE}` is Bolt's defaults, "
        "as the bot was configured before its listeners were split into ack + lazy.")
    add("")
    fp, fpb = r.get("floor-paced"), r.get("floor-pbr")
    if fp and fpb:
        add(f"Bolt's 10 ms ack poll (slack_bolt/listener/thread_runner.py:163): the floor acks in {ms(fp['ack_p50'])} ms p50 "
            f"with process_before_response=False (the listener runs on Bolt's executor and the request thread sleeps in 10 ms "
            f"steps until ack() is seen) against {ms(fpb['ack_p50'])} ms when the listener runs on the request thread: "
            f"the poll is ~{(fp['ack_p50'] - fpb['ack_p50']) * 1000:.0f} ms of the floor's {ms(fp['ack_p50'])} ms.")
        add("")

    # 2. Throughput
    add("## 2. Throughput and exactly-once (50 concurrent practitioners, `canishare serve` as shipped)")
    add("")
    add("| database | workers x threads | clicks/s | ack p50 / p99 (ms) | next message p50 / p99 (ms) | clicks checked | lost | duplicated | double clicks | records = outcome entries | escalations = escalated records | chain | CPU cores: server / postgres / loadgen, machine busy | bound by | load avg |")
    add("|---|---|---:|---|---|---:|---:|---:|---:|---|---|---|---|---|---:|")
    for key in ("bot-sqlite-1", "bot-pg-1", "bot-pg-2", "bot-pg-4"):
        row = r.get(key)
        if not row:
            continue
        c = row["check"]
        add(f"| {row['db']} | {row['workers']} x {row['threads']} | {row['rate']:.1f} | {ms(row['ack_p50'])} / {ms(row['ack_p99'])} | "
            f"{ms(row['feel_p50'])} / {ms(row['feel_p99'])} | {c['expected']:,} | {c['lost']} | {c['duplicated']} | {c['double_clicks']} | "
            f"{c['records']:,} = {c['outcome_entries']:,} | {c['escalations']:,} = {c['escalated_records']:,} | "
            f"{'intact' if c['chain_ok'] else c['chain']} | {cpu_text(row)} | {bound(row)} | {row.get('loadavg', float('nan')):.2f} |")
    add("")
    add("Check, after each run, in that run's fresh database: for every conversation a practitioner clicked in, the "
        "number of path entries equals the number of its clicks that were acked (a double click counts once); "
        "\"lost\" / \"duplicated\" add up the differences. Every record has exactly one `outcome` chain entry, every "
        "seek-advice/urgent record one escalation, and `verify_chain` passes. Clicks not acked (timeouts) are not "
        "in \"checked\": their conversations are skipped.")
    if b.race:
        add("Eight practitioners reaching their first outcome at the same moment in a new database "
            "(bench/race_first_outcomes.py: bot.conversations in-process, eight threads behind a barrier): "
            + "; ".join(f"{kind}: {res['recorded']} of {res['n']} recorded"
                        + (" (" + ", ".join(f"{k} x{v}" for k, v in res["results"].items() if k != "outcome") + ")"
                           if res["recorded"] < res["n"] else "")
                        for kind, res in b.race.items()) + ".")
        add("")
    skipped = sum(row["check"]["skipped"] for row in checks) if checks else 0
    if skipped:
        add(f"Conversations skipped because a click was not acked: {skipped}.")
    add("")

    # 3. Growth
    if growth:
        add("## 3. Growth: per-click latency with stored history (SQLite, 1 worker)")
        add("")
        add("| records stored | fill (s) | 1 practitioner: ack p50 / p99 (ms) | next message p50 / p99 / max (ms) | /canishare → question p50 (ms) | 50 practitioners: ack p50 / p99 (ms) | next message p50 / p99 (ms) | clicks/s | Machine / Flow built, flow_for hits / misses | retention purge at start |")
        add("|---:|---:|---|---|---:|---|---|---:|---|---|")
        for g in growth:
            s1, s50 = g["solo"], g["loaded"]
            st = (s50.get("stats") or [{}])[0]
            ff = st.get("flow_for", {})
            add(f"| {g['size']:,} | {g['fill_s']:.0f} | {ms(s1['ack_p50'])} / {ms(s1['ack_p99'])} | "
                f"{ms(s1['feel_p50'])} / {ms(s1['feel_p99'])} / {ms(s1['feel_max'])} | "
                f"{ms(s1['start_feel_p50'])} | {ms(s50['ack_p50'])} / {ms(s50['ack_p99'])} | {ms(s50['feel_p50'])} / {ms(s50['feel_p99'])} | "
                f"{s50['rate']:.1f} | {st.get('machines', '?')} / {st.get('flows', '?')}, {ff.get('hits', '?')} / {ff.get('misses', '?')} | "
                f"{purge_short(s1.get('purge'))} |" + (" **other processes were busy**" if max(others(s1), others(s50)) > 0.3 else ""))
        add("")
        counts = getattr(b, "growth_counts", {})
        add("Rows at the end: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()) + ". Filled with SQLAlchemy core "
            "inserts of 10,000 rows, one transaction each (bench/growth.py; the filling connection only has a 1 GiB "
            "page cache and fsync off): per record its conversation and chain entry, an escalation "
            "(and entry) for seek-advice/urgent, an abandoned walk per ten records, spread over 2,000 practitioners "
            "whose ids the simulated practitioners use. Each size is served by a fresh process: first 1 "
            "practitioner (an unloaded click), then 50. The Machine/Flow column is read from the serving process "
            "after the 50-practitioner run (GET /_bench/stats, added by bench/variant_serve.py `stats`): "
            "transitions.Machine and Flow objects built since start, and conversation.flow.flow_for.cache_info(). "
            "The last column is what the bot's log says the retention purge it runs ~2 s after start deleted "
            "(— : it had not finished when that process was stopped).")
        add("")

    # 4. Digest
    add("## 4. Digest and export over 1M records")
    add("")
    if digest_table:
        add(digest_table)
        add("")
    add(digest_note)
    add("")

    # 5. Start-up
    add("## 5. Start-up: `canishare serve` to the first answered request")
    add("")
    add("| case | /healthz 200 after (s) | first signed /canishare (in the DM) answered after (s) | HTTP | that answer took (ms) | its question posted after (s) |")
    add("|---|---:|---:|---:|---:|---:|")
    for s in startup:
        acked = "—" if math.isnan(s["acked_at"]) else f"{s['acked_at']:.2f}"
        took = "—" if math.isnan(s["first_ack"]) else ms(s["first_ack"])
        q = "—" if math.isnan(s["question_at"]) else f"{s['question_at']:.2f}"
        add(f"| {s['label']} | {s['healthz']:.2f} | {acked} | {s['status'] or '—'} | {took} | {q} |")
    add("")
    add("Times from spawning the process (1 worker). gunicorn binds before its worker has loaded the app, so "
        "/healthz is polled every 5 ms and answers once the worker is ready. " + getattr(b, "import_note", ""))
    add("")
    if profile_path:
        add("## Where a click's time goes")
        add("")
        p = b.profile
        add(f"pyinstrument, the real app in one process on one thread (Bolt's executor replaced by an inline one, "
            f"the fake Slack in another process): {p.get('per_click_ms', float('nan')):.2f} ms of wall time per click, "
            f"{p.get('per_command_ms', float('nan')):.2f} ms per /canishare. Share of that time: "
            + ", ".join(f"{k} {v:.0%}" for k, v in (p.get("shares") or {}).items())
            + f". Full tree: {profile_path.relative_to(ROOT)}.")
        add("")
    add("## Findings: causes and proposed fixes")
    add("")
    for number, paragraph in enumerate(findings(b, growth, startup), 1):
        add(f"{number}. " + paragraph.replace("\n", "\n   "))
        add("")
    if b.notes:
        add("## Notes")
        add("")
        for n in b.notes:
            add(f"- {n}")
        add("")
    return "\n".join(L)
