"""Print how conversation.screening does on the labelled set.

    python tests/screening_report.py            # figures only
    python tests/screening_report.py --misses   # also list misses / false alarms

The labelled set (tests/data/screening.yaml) is entirely invented data.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from conversation.screening import KINDS, screen  # noqa: E402

DATA = ROOT / "tests" / "data" / "screening.yaml"


def load(path: Path = DATA) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        items = yaml.safe_load(fh)
    aliases = {"date_of_birth": "dob"}  # the set's older name for the kind
    return [{"text": str(i["text"]), "expect": [aliases.get(k, k) for k in i.get("expect") or []]} for i in items]


def evaluate(items: list[dict]) -> dict:
    """Score screen() on items.  Returns a dict of counts and rates."""
    ident = [i for i in items if i["expect"]]
    clean = [i for i in items if not i["expect"]]
    caught, misses, false_alarms = 0, [], []
    per_kind = {k: [0, 0] for k in KINDS}  # kind -> [found, labelled]
    extra_kinds = {k: 0 for k in KINDS}  # kind reported but not labelled (identifier sentences)
    exact = 0
    for item in ident:
        got = {f.kind for f in screen(item["text"])}
        if got:
            caught += 1
        else:
            misses.append(item)
        if got == set(item["expect"]):
            exact += 1
        for k in item["expect"]:
            per_kind[k][1] += 1
            if k in got:
                per_kind[k][0] += 1
            else:
                misses.append({**item, "missed_kind": k})
        for k in got - set(item["expect"]):
            extra_kinds[k] += 1
    for item in clean:
        got = [f.kind for f in screen(item["text"])]
        if got:
            false_alarms.append({**item, "got": got})
    return {
        "total": len(items),
        "ident_total": len(ident),
        "ident_caught": caught,
        "clean_total": len(clean),
        "clean_rejected": len(false_alarms),
        "exact": exact,
        "per_kind": per_kind,
        "extra_kinds": extra_kinds,
        "misses": misses,
        "false_alarms": false_alarms,
    }


def _pct(a: int, b: int) -> str:
    return f"{100.0 * a / b:.2f}%" if b else "n/a"


def typical_text(items: list[dict]) -> str:
    """A ~500-character description: clean sentences plus one phone number."""
    return " ".join(i["text"] for i in items if not i["expect"])[:480] + " Call 07700 900123."


def timing(items: list[dict], rounds: int = 5, runs: int = 200) -> tuple[float, float]:
    """(median us per labelled sentence, us per ~500-char text), best of `rounds`.

    Best-of-N (as timeit does) so that other load on the machine does not
    inflate the figure.
    """
    per = []
    for item in items:
        best = float("inf")
        for _ in range(rounds):
            t0 = time.perf_counter()
            screen(item["text"])
            best = min(best, time.perf_counter() - t0)
        per.append(best * 1e6)
    text = typical_text(items)
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(runs):
            screen(text)
        best = min(best, (time.perf_counter() - t0) / runs)
    return statistics.median(per), best * 1e6


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--misses", action="store_true", help="list misses and false alarms")
    args = ap.parse_args(argv)

    items = load()
    r = evaluate(items)
    print(f"sentences:                  {r['total']}")
    print(
        f"identifier sentences caught: {r['ident_caught']}/{r['ident_total']} "
        f"({_pct(r['ident_caught'], r['ident_total'])})"
    )
    print(
        f"clean sentences rejected:    {r['clean_rejected']}/{r['clean_total']} "
        f"({_pct(r['clean_rejected'], r['clean_total'])})"
    )
    print(f"exact kind match:            {r['exact']}/{r['ident_total']} ({_pct(r['exact'], r['ident_total'])})")
    print("per-kind recall:")
    for k in KINDS:
        found, total = r["per_kind"][k]
        print(f"  {k:<14} {found:>3}/{total:<3} ({_pct(found, total)})   extra (unlabelled) reports: {r['extra_kinds'][k]}")
    med, typical = timing(items)
    print(f"speed: median {med:.0f} us per sentence; {typical:.0f} us per ~500-char text")
    if args.misses:
        print("\nmisses:")
        for m in r["misses"]:
            print(f"  [{m.get('missed_kind', 'ALL')}] {m['text']}")
        print("\nfalse alarms on clean sentences:")
        for m in r["false_alarms"]:
            print(f"  {m['got']} {m['text']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
