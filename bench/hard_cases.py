#!/usr/bin/env python3
"""Score the held-out hard cases (bench/data/; written by a reviewer who saw only the question texts) (hard-cases-heldout.yaml) against the bot's packs.

Written without sight of the pack structure. It walks each pack itself:
    p = load_pack(pack_id); node = p.start
    while node in p.nodes: node = next_step(p, node, answers[node])
and treats the first id that is not a node as the outcome.

next_step(pack, node_id, answer) -> next node id or outcome id is passed in:
    python run_hard_cases.py --next-step mymodule:next_step
answer is the case's string "yes" / "no" / "not_sure". Without --next-step a best-guess
routing reader (guess_next_step below) is used; check its first few paths before trusting it.

Options: --cases FILE, --pack hmg-2024 (one pack only). Exit status 1 if any case is WRONG.
"""
import argparse
import hashlib
import importlib
import os
import sys

import yaml

from policy.pack import load_pack

HERE = os.path.dirname(os.path.abspath(__file__))
ANSWER_SPELLINGS = {"yes": ["yes", "Yes", "y", True], "no": ["no", "No", "n", False],
                    "not_sure": ["not_sure", "not sure", "Not sure", "unsure", "notsure", "maybe"]}


def _get(obj, key):
    if isinstance(obj, dict):
        return obj.get(key)
    return getattr(obj, key, None)


def guess_next_step(pack, node_id, answer):
    """Guess: the node holds a mapping answer -> target under a common name, or the answer itself."""
    node = pack.nodes[node_id]
    for field in ("routes", "answers", "next", "options", "branches", "on", "edges", "transitions", None):
        table = node if field is None else _get(node, field)
        if table is None:
            continue
        for spelling in ANSWER_SPELLINGS[answer]:
            if isinstance(table, (list, tuple)):  # list of choice objects with a value and a target
                target = next((x for x in table if spelling in
                               (_get(x, "answer"), _get(x, "value"), _get(x, "id"), _get(x, "label"))), None)
            elif isinstance(table, dict) or isinstance(spelling, str):
                target = _get(table, spelling)
            else:
                target = None
            if target is None:
                continue
            for sub in ("next", "goto", "target", "to", "id"):  # target may be an object
                if not isinstance(target, str) and _get(target, sub) is not None:
                    target = _get(target, sub)
                    break
            if isinstance(target, str):
                return target
    raise LookupError(f"cannot read routing of {node_id!r} for {answer!r}; pass --next-step")


def pack_next_step(pack, node_id, answer):
    """The bot's own routing (added by the project after the set was frozen)."""
    return pack.nodes[node_id].answers[answer].to


def walk(pack, answers, next_step, max_steps=60):
    node, path = pack.start, []
    while node in pack.nodes:
        if len(path) >= max_steps:
            return "LOOP", path
        if node not in answers:
            return f"NO_ANSWER:{node}", path
        path.append(f"{node}={answers[node]}")
        node = next_step(pack, node, answers[node])
    return node, path


def load_callable(spec):
    mod, _, name = spec.partition(":")
    return getattr(importlib.import_module(mod), name or "next_step")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default=os.path.join(HERE, "data", "hard-cases-heldout.yaml"))
    ap.add_argument("--next-step", help="module:function giving next_step(pack, node_id, answer)")
    ap.add_argument("--pack", help="only this pack id")
    ap.add_argument("--extra-answers", default=os.path.join(HERE, "data", "hard-cases-recipient-answers.yaml"),
                    help="answers to questions added after the set was frozen (case id -> answer), by the same kind of reviewer")
    args = ap.parse_args()
    next_step = load_callable(args.next_step) if args.next_step else pack_next_step

    raw = open(args.cases, "rb").read()
    sha_file = args.cases + ".sha256"
    if os.path.exists(sha_file) and open(sha_file).read().split()[0] != hashlib.sha256(raw).hexdigest():
        print(f"WARNING: {args.cases} differs from its frozen checksum in {sha_file}\n")
    cases = yaml.safe_load(raw)
    if args.pack:
        cases = [c for c in cases if c["pack"] == args.pack]

    extra = yaml.safe_load(open(args.extra_answers)) if args.extra_answers and os.path.exists(args.extra_answers) else {}
    packs, totals, rows = {}, {}, []
    for c in cases:
        pid = c["pack"]
        # tolerate unquoted YAML yes/no (booleans) in hand-edited copies
        answers = {k: {True: "yes", False: "no"}.get(v, v) for k, v in c["answers"].items()}
        if c["id"] in extra and c["pack"] == "hmg-2024":
            answers.setdefault("recipient", extra[c["id"]])
        expected = c["expected"] if isinstance(c["expected"], list) else [c["expected"]]
        try:
            if pid not in packs:
                packs[pid] = load_pack(pid)
            got, path = walk(packs[pid], answers, next_step)
        except Exception as e:  # report and carry on with the other cases
            got, path = f"ERROR:{type(e).__name__}: {e}", []
        ok = got in expected
        verdict = "OK" if ok else ("WRONG (2008-era)" if got == c.get("expected_2008") else "WRONG")
        t = totals.setdefault(pid, [0, 0])
        t[0] += ok
        t[1] += 1
        rows.append((c["id"], "|".join(expected), got, " ".join(path), verdict))

    w = [max(len(r[i]) for r in rows + [("case", "expected", "got", "", "")]) for i in range(3)]
    print(f"{'case':<{w[0]}}  {'expected':<{w[1]}}  {'got':<{w[2]}}  result  path")
    for cid, exp, got, path, verdict in rows:
        print(f"{cid:<{w[0]}}  {exp:<{w[1]}}  {got:<{w[2]}}  {verdict:<6}  {path}")
    print()
    for pid, (ok, n) in sorted(totals.items()):
        print(f"{pid}: {ok}/{n} OK, {n - ok} WRONG")
    return 0 if all(ok == n for ok, n in totals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
