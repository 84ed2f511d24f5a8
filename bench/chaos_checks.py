"""What a trial found, read only from the fake Slack's conversations and `canishare export`."""
from __future__ import annotations

import hashlib
import hmac
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .chaos_fake import ChaosSlack, Msg, dm_of
from .chaos_people import CLAIMS_TOLD, ESCALATING, Practitioner, first_question_key, is_ping_for, message_text
from .chaos_server import ADMINS, PSEUDONYM_KEY, TEAM_A, TEAM_B

TOLD = "told 'your lead has been told', nobody was"
TEAMS = {TEAM_A["id"]: TEAM_A, TEAM_B["id"]: TEAM_B}


def pseudonym(user: str) -> str:
    return hmac.new(PSEUDONYM_KEY.encode(), user.encode(), hashlib.sha256).hexdigest()


def lead_targets(team: dict) -> set[str]:
    out = {dm_of(u) for u in team["leads"]}
    if team.get("escalation_channel"):
        out.add(team["escalation_channel"])
    return out


@dataclass
class Found:
    c: Counter = field(default_factory=Counter)
    stuck_reasons: Counter = field(default_factory=Counter)
    dup_kinds: Counter = field(default_factory=Counter)
    reached_by: Counter = field(default_factory=Counter)  # how escalations reached someone
    notes: list[str] = field(default_factory=list)
    after_fault: list[float] = field(default_factory=list)  # seconds from the fault's end to each outcome
    ping_delays: list[float] = field(default_factory=list)  # outcome shown -> first ping delivered (s)


def pings_for(fake: ChaosSlack, user: str) -> list[Msg]:
    own = dm_of(user)
    return [m for m in fake.all_posts() if m.channel != own and is_ping_for(m, user)]


def escalation_done(fake: ChaosSlack, p: Practitioner, lead_only: bool, by: float) -> bool:
    targets = lead_targets(TEAMS[p.team]) if lead_only else None
    return any(m.at <= by and (targets is None or m.channel in targets) for m in pings_for(fake, p.user))


def analyse(fake: ChaosSlack, people: list[Practitioner], records: list[dict], *, ref: float, lead_only: bool,
            ping_window: float = 60.0, fault_end: float | None = None) -> Found:
    f = Found()
    c = f.c
    by_pseudonym = {pseudonym(p.user): p for p in people}
    recs: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        p = by_pseudonym.get(r.get("practitioner"))
        if p is None:
            c["records not ours"] += 1
            continue
        recs[p.user].append(r)
    for p in people:
        c["practitioners"] += 1
        c["clicks sent"] += len(p.clicks)
        c["clicks acked"] += len(p.acked())
        c["clicks not acked"] += len(p.clicks) - len(p.acked())
        c["clicks answered 5xx"] += sum(1 for k in p.clicks if k.status >= 500)
        mine = recs.get(p.user, [])
        if len(mine) > 1:
            c["duplicated decisions"] += len(mine) - 1
            f.notes.append(f"{p.user}: {len(mine)} records")
        exp_path, exp_outcome = p.expected
        if p.outcome_conv is None:
            c["stuck"] += 1
            f.stuck_reasons[p.stuck_reason or "?"] += 1
            f.notes.append(f"{p.user} stuck ({p.stuck_reason}); last seen: " + " | ".join(getattr(p, "trail", [])))
            if mine:
                c["stuck with a record saved"] += 1
        else:
            c["reached an outcome"] += 1
            if fault_end is not None and p.outcome_at is not None:
                f.after_fault.append(max(0.0, p.outcome_at - fault_end))
            acked = []
            for k in p.acked(p.outcome_conv):
                if (k.node, k.answer) not in acked:
                    acked.append((k.node, k.answer))
            if not mine:
                c["lost decisions"] += max(1, len(acked))
                c["outcome shown, no record"] += 1
                f.notes.append(f"{p.user}: outcome shown but no record")
            else:
                rec = mine[-1]
                path = [(e.get("node"), e.get("answer")) for e in rec.get("path") or []]
                nodes = [n for n, _ in path]
                if len(set(nodes)) != len(nodes):
                    c["duplicated decisions"] += len(nodes) - len(set(nodes))
                    f.notes.append(f"{p.user}: a node answered twice in the record path {nodes}")
                lost = [a for a in acked if a not in path]
                if lost:
                    c["lost decisions"] += len(lost)
                    f.notes.append(f"{p.user}: acked {lost} not in the record")
                if path != exp_path or rec.get("outcome") != exp_outcome:
                    c["wrong record (path/outcome)"] += 1
                    f.notes.append(f"{p.user}: record {rec.get('outcome')} {path} != expected {exp_outcome} {exp_path}")
        # escalations: from the records (what was decided), else from the expected outcome if shown
        escalating = any(r.get("outcome") in ESCALATING for r in mine)
        if escalating:
            c["escalating records"] += 1
            if any(r.get("outcome") in ESCALATING and not r.get("escalation") for r in mine):
                c["escalating record without escalation"] += 1
                f.notes.append(f"{p.user}: record says {mine[-1].get('outcome')} with escalation null")
            deadline = max(ref, p.outcome_at or ref) + ping_window
            pings = pings_for(fake, p.user)
            team = TEAMS[p.team]
            leads = lead_targets(team)
            in_time = [m for m in pings if m.at <= deadline]
            if lead_only:
                if not any(m.channel in leads for m in in_time):
                    c["escalations not pinged to lead/channel in time"] += 1
                    f.notes.append(f"{p.user}: no ping to {sorted(leads)} within {ping_window:.0f} s")
            elif not in_time:
                c["escalations that reached nobody in time"] += 1
                f.notes.append(f"{p.user}: escalation reached nobody within {ping_window:.0f} s")
            if pings and p.outcome_at is not None:
                f.ping_delays.append(max(0.0, min(m.at for m in pings) - p.outcome_at))
            for m in in_time[:1]:
                kind = ("channel" if m.channel.startswith("C") else
                        "lead DM" if m.channel in leads else
                        "deputy DM" if m.channel in {dm_of(u) for u in team["deputies"]} else
                        "admin DM" if m.channel in {dm_of(u) for u in ADMINS} else "other")
                f.reached_by[kind] += 1
            c["pings to the practitioner's team"] += len(pings)
            # what the practitioner was told
            dm = dm_of(p.user)
            told = [m for m in fake.messages(dm) if m.ephemeral_for in (None, p.user)]
            claiming = [m for m in told if CLAIMS_TOLD.search(message_text(m))]
            if claiming:
                named = {u for u in team["leads"] if any(f"<@{u}>" in message_text(m) for m in claiming)}
                reached_leads = {u for u in team["leads"] if any(m.channel == dm_of(u) for m in pings)}
                if team.get("escalation_channel") and any(m.channel == team["escalation_channel"] for m in pings):
                    reached_leads |= set(team["leads"])
                if not pings:
                    c[TOLD] += 1
                    f.notes.append(f"{p.user}: told the lead was told; no ping was delivered to anyone")
                elif named and not (named & reached_leads):
                    c[TOLD] += 1
                    f.notes.append(f"{p.user}: told {sorted(named)} were told; pings reached only {sorted({m.channel for m in pings})}")
    # visible twice: the same question / outcome / ping, or the same content, in one conversation
    esc_ids: dict[str, set] = defaultdict(set)
    for channel, msgs in fake.channels.items():
        keys = Counter()
        for m in msgs:
            if m.ephemeral_for is not None or m.deleted:
                continue
            key = first_question_key(m)
            if key is None and m.metadata:  # the bot's own delivery id, if it sends one
                key = ("same metadata", json.dumps(m.metadata, sort_keys=True))
            if key is None:
                text, blocks = m.history[0] if m.history else (m.text, m.blocks)
                key = ("same content", hashlib.sha256((text + json.dumps(blocks, sort_keys=True)).encode()).hexdigest())
            keys[key] += 1
            if key[0] == "ping":
                for p in people:
                    if is_ping_for(m, p.user):
                        esc_ids[p.user].add(key[1])
        for key, n in keys.items():
            if n > 1 and key[0] == "same content":
                # identical text with nothing to tell the copies apart (e.g. one alert per escalation
                # that does not say which): reported, but not counted as a message posted twice
                c["identical unkeyed messages repeated"] += n - 1
                f.notes.append(f"{channel}: {n} identical messages without a question/outcome/ping/metadata key")
            elif n > 1:
                c["visible twice"] += n - 1
                f.dup_kinds[key[0]] += n - 1
                f.notes.append(f"{channel}: {key[0]} {key[1:] if key[0] != 'same content' else ''} posted {n} times")
    for user, ids in esc_ids.items():
        if len(ids) > 1:
            c["escalation opened twice"] += len(ids) - 1
    c["Web API calls faulted"] += sum(fl.hits for fl in fake.faults)
    for method, n in fake.unknown_methods.items():  # the fake would need to learn these to measure fairly
        c["calls to Web API methods the fake does not know"] += n
        f.notes.append(f"the bot called {method} ({n}x), which the fake answers unknown_method")
    return f
