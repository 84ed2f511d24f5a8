"""Fuzzed requests to /slack/events over raw sockets (exact bytes, any header bytes):
signed ones with random or mutated bodies, and unsigned or badly signed ones."""
from __future__ import annotations

import asyncio
import copy
import json
import random
import time
import uuid
from urllib.parse import urlencode

from .chaos_fake import WORKSPACE
from .chaos_people import SIGNING_SECRET, command_body, dm_event_body, sign

ACTION_IDS = ["answer_yes", "answer_no", "answer_not_sure", "escalate", "why", "back", "change_answer", "record_open",
              "esc_claim", "esc_resolve", "procedure_show", "referral_start", "followup_accept", "followup_decline",
              "followup_done_1", "followup_dismiss_2", "pick_team_0", "start_conversation", "admin_post_digest",
              "admin_export", "unknown_action"]
EVENT_TYPES = ["message", "app_mention", "app_home_opened", "app_uninstalled", "tokens_revoked", "member_joined_channel",
               "channel_archive", "team_join", "user_change", "reaction_added", "link_shared", "im_history_changed",
               "grid_migration_started", "subteam_updated", "made_up_event"]


def weird(rng: random.Random, depth: int = 0):
    """A value of a random type, sometimes huge or odd."""
    r = rng.random()
    if r < 0.12:
        return None
    if r < 0.24:
        return rng.randint(-2**63, 2**63)
    if r < 0.32:
        return rng.random() * 10 ** rng.randint(-5, 300)
    if r < 0.40:
        return rng.choice([True, False])
    if r < 0.55:
        return rng.choice(["", " ", "\u0000", "é", "😀" * 50, "<@U0LEADA1>", "<!channel>", "x" * rng.randint(1, 20000),
                           "f" * 32 + ":danger", "f" * 32 + ":nowhere", ":" * 10, "D0NOPE", "U0LEADA1", "../../etc/passwd",
                           "'; DROP TABLE records; --", "\ud800" if False else "\u202e", str(uuid.uuid4())])
    if r < 0.7 and depth < 3:
        return [weird(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if depth < 3:
        return {rng.choice(["id", "value", "type", "ts", "text", "user", "x"]): weird(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    return "deep"


def mutate(rng: random.Random, obj, rate: float = 0.25):
    """Randomly delete keys, replace values with weird ones, or wrap them in lists."""
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            r = rng.random()
            if r < rate * 0.3:
                continue
            if r < rate:
                out[k] = weird(rng)
            else:
                out[k] = mutate(rng, v, rate)
        if rng.random() < rate * 0.2:
            out[rng.choice(["extra", "enterprise", "is_enterprise_install", "view", "state"])] = weird(rng)
        return out
    if isinstance(obj, list):
        return [mutate(rng, v, rate) for v in obj if rng.random() > rate * 0.2]
    return obj


def block_actions(rng: random.Random, user: str) -> dict:
    action_id = rng.choice(ACTION_IDS)
    value = rng.choice(["f" * 32 + ":danger", uuid.uuid4().hex + ":purpose", uuid.uuid4().hex, "1", ""])
    msg_ts = f"{time.time():.6f}"
    action = {"action_id": action_id, "block_id": "answer", "type": "button", "value": value, "action_ts": msg_ts}
    if action_id in ("esc_resolve", "change_answer", "procedure_show"):
        action = {"action_id": action_id, "block_id": "status", "type": "static_select", "action_ts": msg_ts,
                  "selected_option": {"value": rng.choice([value, "x:share", "3", "99"]), "text": {"type": "plain_text", "text": "x"}}}
    container_type = rng.choice(["message", "message", "view"])
    body = {"type": "block_actions", "user": {"id": user, "username": "fuzz", "team_id": WORKSPACE}, "api_app_id": "A0APP",
            "token": "legacy", "team": {"id": WORKSPACE, "domain": "chaos"}, "trigger_id": f"1.1.{uuid.uuid4().hex}",
            "container": {"type": container_type, "message_ts": msg_ts, "channel_id": "D" + user[1:], "is_ephemeral": False},
            "channel": {"id": "D" + user[1:], "name": "directmessage"},
            "message": {"type": "message", "ts": msg_ts, "text": "q", "blocks": []},
            "response_url": "https://hooks.slack.com/actions/x", "actions": [action]}
    if container_type == "view":
        body["container"] = {"type": "view", "view_id": "V0HOME"}
        body["view"] = {"id": "V0HOME", "type": "home", "blocks": []}
        body.pop("channel")
        body.pop("message")
    return body


def view_payload(rng: random.Random, user: str) -> dict:
    kind = rng.choice(["view_submission", "view_closed"])
    return {"type": kind, "team": {"id": WORKSPACE, "domain": "chaos"}, "user": {"id": user, "team_id": WORKSPACE},
            "api_app_id": "A0APP", "token": "legacy", "trigger_id": f"1.1.{uuid.uuid4().hex}", "is_cleared": False,
            "view": {"id": "V0X", "type": "modal", "callback_id": rng.choice(["record_decision", "other"]),
                     "private_metadata": rng.choice(["", "{}", json.dumps({"c": uuid.uuid4().hex}), "not json", "[]"]),
                     "state": {"values": {"shared_what": {"value": {"type": "plain_text_input", "value": "a leaflet"}},
                                          "shared_with": {"value": {"type": "plain_text_input", "value": "school"}},
                                          "reason": {"value": {"type": "plain_text_input", "value": "to help"}}}},
                     "hash": "h", "team_id": WORKSPACE}}


def event_callback(rng: random.Random, user: str) -> dict:
    etype = rng.choice(EVENT_TYPES)
    ts = f"{time.time():.6f}"
    event: dict = {"type": etype, "user": user, "channel": "D" + user[1:], "ts": ts, "event_ts": ts, "text": "hello"}
    if etype == "message":
        event["channel_type"] = rng.choice(["im", "channel", "group", "mpim"])
        if rng.random() < 0.4:
            event["subtype"] = rng.choice(["message_changed", "message_deleted", "bot_message", "channel_join", "file_share"])
    if etype == "app_home_opened":
        event["tab"] = rng.choice(["home", "messages"])
    if etype == "tokens_revoked":
        event = {"type": etype, "tokens": {"oauth": [], "bot": ["U0BOT"]}}
    if etype == "app_uninstalled":
        event = {"type": etype}
    return {"token": "legacy", "team_id": WORKSPACE, "api_app_id": "A0APP", "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}", "event_time": int(time.time()), "event": event,
            "authorizations": [{"team_id": WORKSPACE, "user_id": "U0BOT", "is_bot": True}]}


def unused_events() -> list[tuple[bytes, str, str]]:
    """Well-formed Slack requests for things the app does not use (each should get 200)."""
    user = "U0Z001"
    out = []
    for etype, event in [("app_uninstalled", {"type": "app_uninstalled"}),
                         ("tokens_revoked", {"type": "tokens_revoked", "tokens": {"oauth": ["U0Z001"], "bot": ["U0BOT"]}}),
                         ("member_joined_channel", {"type": "member_joined_channel", "user": user, "channel": "C0ESCA",
                                                    "channel_type": "C", "team": WORKSPACE, "event_ts": f"{time.time():.6f}"}),
                         ("reaction_added", {"type": "reaction_added", "user": user, "reaction": "thumbsup",
                                             "item": {"type": "message", "channel": "C0ESCA", "ts": "1.1"}, "event_ts": "1.2"})]:
        body = {"token": "legacy", "team_id": WORKSPACE, "api_app_id": "A0APP", "type": "event_callback",
                "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}", "event_time": int(time.time()), "event": event,
                "authorizations": [{"team_id": WORKSPACE, "user_id": "U0BOT", "is_bot": True}]}
        out.append((json.dumps(body).encode(), "application/json", f"event {etype}"))
    out.append((json.dumps({"token": "legacy", "team_id": WORKSPACE, "minute_rate_limited": int(time.time()) // 60 * 60,
                            "api_app_id": "A0APP", "type": "app_rate_limited"}).encode(), "application/json", "app_rate_limited"))
    closed = {"type": "view_closed", "team": {"id": WORKSPACE, "domain": "chaos"}, "user": {"id": user, "team_id": WORKSPACE},
              "api_app_id": "A0APP", "token": "legacy", "is_cleared": False,
              "view": {"id": "V0X", "type": "modal", "callback_id": "record_decision", "private_metadata": "{}",
                       "state": {"values": {}}, "hash": "h", "team_id": WORKSPACE}}
    out.append((urlencode({"payload": json.dumps(closed)}).encode(), "application/x-www-form-urlencoded", "view_closed"))
    return out


def signed_case(rng: random.Random, members: list[str]) -> tuple[bytes, str]:
    user = rng.choice(members + ["U0STRANGER", "W0GRID", ""])
    r = rng.random()
    form = "application/x-www-form-urlencoded"
    if r < 0.12:
        fields = dict(p.split("=", 1) for p in command_body(user or "U0X", rng.random() < 0.5).decode().split("&"))
        from urllib.parse import unquote_plus
        fields = {k: unquote_plus(v) for k, v in fields.items()}
        fields = mutate(rng, fields, 0.3)
        return urlencode({k: (json.dumps(v) if not isinstance(v, str) else v) for k, v in fields.items()}).encode(), form
    if r < 0.45:
        payload = mutate(rng, block_actions(rng, user), rng.choice([0.0, 0.1, 0.3, 0.6]))
        return urlencode({"payload": json.dumps(payload)}).encode(), form
    if r < 0.55:
        payload = mutate(rng, view_payload(rng, user), rng.choice([0.0, 0.2, 0.5]))
        return urlencode({"payload": json.dumps(payload)}).encode(), form
    if r < 0.75:
        body = mutate(rng, event_callback(rng, user), rng.choice([0.0, 0.1, 0.4]))
        return json.dumps(body).encode(), "application/json"
    if r < 0.80:
        return json.dumps({"type": "url_verification", "token": "legacy", "challenge": weird(rng)}).encode(), "application/json"
    if r < 0.85:  # payload= that is not an object
        return urlencode({"payload": rng.choice(["", "null", "[]", "42", '"x"', "{", "{\"type\": 5}", json.dumps(weird(rng))])}).encode(), form
    if r < 0.90:  # the wrong content type for the body
        body = json.dumps(event_callback(rng, user)).encode() if rng.random() < 0.5 else urlencode({"payload": json.dumps(block_actions(rng, user))}).encode()
        return body, rng.choice(["text/plain", "application/json", form, "multipart/form-data; boundary=x", ""])
    if r < 0.94:  # random bytes (some not UTF-8)
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 3000))), rng.choice([form, "application/json", "application/octet-stream"])
    if r < 0.97:  # big: near and over the body limit
        size = rng.choice([200_000, 250_000, 300_000, 1_200_000])
        return urlencode({"payload": json.dumps({**block_actions(rng, user), "pad": "x" * size})}).encode(), form
    # a plain DM event, well formed (starts a walk)
    return dm_event_body(user or "U0X", rng.choice(["can I share this?", "thanks", "", "é" * 3000])), "application/json"


def unsigned_case(rng: random.Random) -> tuple[bytes, dict[bytes, bytes], str]:
    body = urlencode({"payload": json.dumps(block_actions(rng, "U0Z001"))}).encode()
    good = sign(body)
    ts, sig = good["X-Slack-Request-Timestamp"].encode(), good["X-Slack-Signature"].encode()
    choice = rng.randrange(14)
    h: dict[bytes, bytes] = {}
    if choice == 0:
        pass  # no headers
    elif choice == 1:
        h[b"X-Slack-Request-Timestamp"] = ts
    elif choice == 2:
        h[b"X-Slack-Signature"] = sig
    elif choice == 3:
        h = {b"X-Slack-Request-Timestamp": ts, b"X-Slack-Signature": b"v0=" + b"0" * 64}
    elif choice == 4:
        h = {b"X-Slack-Request-Timestamp": ts, b"X-Slack-Signature": sig[:-4] + b"\xff\xfe\xc3\xa9"}
    elif choice == 5:
        h = {b"X-Slack-Request-Timestamp": ts, b"X-Slack-Signature": "v0=é😀".encode()}
    elif choice == 6:
        h = {b"X-Slack-Request-Timestamp": b"9" * 400, b"X-Slack-Signature": sig}
    elif choice == 7:
        h = {b"X-Slack-Request-Timestamp": rng.choice([b"-1", b"1e9", b"", b" ", b"0x10", b"nan", b"1.5", "١٢٣".encode()]),
             b"X-Slack-Signature": sig}
    elif choice == 8:
        old = str(int(time.time()) - 600)
        h = {b"X-Slack-Request-Timestamp": old.encode(), b"X-Slack-Signature": sign(body, old)["X-Slack-Signature"].encode()}
    elif choice == 9:
        h = {b"X-Slack-Request-Timestamp": ts, b"X-Slack-Signature": b"v1=" + sig[3:]}
    elif choice == 10:
        h = {b"X-Slack-Request-Timestamp": ts, b"X-Slack-Signature": b"v0=" + b"a" * 6000}
    elif choice == 11:
        h = {b"X-Slack-Request-Timestamp": ts, b"X-Slack-Signature": sign(body, None, "wrong-secret")["X-Slack-Signature"].encode()}
    elif choice == 12:
        h = {b"X-Slack-Request-Timestamp": bytes(rng.getrandbits(8) | 0x80 for _ in range(12)), b"X-Slack-Signature": sig}
    else:
        h = {b"X-Slack-Request-Timestamp": ts + b"\xc3\xa9", b"X-Slack-Signature": sig}
    return body, h, UNSIGNED_LABELS[choice]


UNSIGNED_LABELS = ['no signature headers', 'timestamp only', 'signature only', 'wrong signature', 'signature with non-UTF-8 bytes', 'signature with non-ASCII UTF-8', '400-digit timestamp', 'odd timestamp (-1, 1e9, empty, Arabic digits...)', 'timestamp 10 minutes old, correctly signed', 'v1= signature', '6,000-byte signature', 'signed with another secret', 'timestamp of high bytes', 'timestamp with a trailing é']


async def raw_post(port: int, body: bytes, headers: dict[bytes, bytes], timeout: float = 10.0) -> int:
    """POST over a fresh connection; the status, or 0 when the connection dropped / no answer."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    except (OSError, TimeoutError):
        return 0
    try:
        head = [b"POST /slack/events HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close",
                b"Content-Length: " + str(len(body)).encode()]
        head += [k + b": " + v for k, v in headers.items()]
        writer.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), timeout)
        parts = line.split()
        if len(parts) < 2 or not parts[1].isdigit():
            return 0
        try:
            await asyncio.wait_for(reader.read(), timeout)
        except (OSError, TimeoutError):
            pass
        return int(parts[1])
    except (OSError, TimeoutError, asyncio.IncompleteReadError):
        return 0
    finally:
        writer.close()


async def fuzz(server, found, *, signed: int, unsigned: int, seed: str, members: list[str], concurrency: int = 8) -> None:
    rng = random.Random(f"{seed}-fuzz")
    c = found.c
    queue: asyncio.Queue = asyncio.Queue()
    for i in range(signed):
        queue.put_nowait(("signed", i))
    for i in range(unsigned):
        queue.put_nowait(("unsigned", i))
    for body, ctype, what in unused_events():
        queue.put_nowait(("unused", (body, ctype, what)))
    items = list(queue._queue)  # type: ignore[attr-defined]
    rng.shuffle(items)
    queue = asyncio.Queue()
    for it in items:
        queue.put_nowait(it)
    examples: dict[str, int] = {}

    async def worker() -> None:
        while not queue.empty():
            kind, item = queue.get_nowait()
            if kind == "signed":
                body, ctype = signed_case(rng, members)
                headers = {b"Content-Type": ctype.encode(), **{k.encode(): v.encode() for k, v in sign(body).items()}}
            elif kind == "unused":
                body, ctype, what = item
                headers = {b"Content-Type": ctype.encode(), **{k.encode(): v.encode() for k, v in sign(body).items()}}
            else:
                body, headers, what = unsigned_case(rng)
                headers = {b"Content-Type": b"application/x-www-form-urlencoded", **headers}
                c[f"unsigned case {what}: sent"] += 1
            status = await raw_post(server.port, body, headers)
            if kind == "unused":
                c["unused sent"] += 1
                if status != 200:
                    c["unused events not 200"] += 1
                    found.notes.append(f"{what}: HTTP {status or 'no answer'}")
                continue
            c[f"{kind} sent"] += 1
            c[f"{kind} status {status or 'dropped'}"] += 1
            if status == 0:
                c[f"{kind} dropped"] += 1
            elif status >= 500:
                c[f"{kind} 5xx"] += 1
            if kind == "unsigned" and status != 401:
                c["unsigned not 401"] += 1
                c[f"unsigned case {what}: not 401"] += 1
            if (status == 0 or status >= 500 or (kind == "unsigned" and status != 401)):
                sig = headers.get(b"X-Slack-Signature", b"")
                tsh = headers.get(b"X-Slack-Request-Timestamp", b"")
                key = f"{kind} HTTP {status or 'dropped'}: ts={tsh[:24]!r} sig={sig[:20]!r}… body={body[:60]!r}"
                if len(examples) < 12 and key not in examples:
                    examples[key] = 1
                    found.notes.append(key)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
