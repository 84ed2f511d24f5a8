"""How well the record note's screener (the conversation/screening package) does on labelled sets.

    .venv/bin/python bench/screening.py                       # the project's set and dev sets 1-9
    .venv/bin/python bench/screening.py SET.yaml [SET.yaml ...]
    .venv/bin/python bench/screening.py --heldout HELDOUT.yaml   # a fresh held-out set: aggregate figures only
    .venv/bin/python bench/screening.py --misses bench/data/screening-dev3.yaml   # tuning sets only

Reports, per set: recall per kind (a sentence labelled with a kind counts as found when the
screener reports that kind), overall refusal of sentences holding a detail (any finding),
clean sentences wrongly refused, and p50 / p99 time for a 500-character note.

A set given with --heldout (or whose file name contains "heldout") is scored with aggregate
figures only: this script never prints, returns or writes one of its sentences, and
--misses is refused for it. Nobody tunes the rules on the held-out set. Dev set 4 (the former
held-out set 2) is scored in two halves since round 4: its even-numbered sentences (0, 2, 4,
...) were tuned on, its odd-numbered ones are round 4's validation half, looked at in aggregate
only: --misses lists the tuned half's misses and skips the validation half unless
--validation-misses is given (only once the rules are final). Dev set 5 (the former held-out
set 4, spent after round 4) is scored in the same two halves since round 5, dev set 6 (the
former held-out set 5, spent after round 5) since round 6, dev set 7 (the former held-out
set 6, spent after round 6) since round 7, dev set 8 (the former held-out set 8, spent by
its one measurement with round 6's rules) since round 8, dev set 9 (the former held-out
set 9, spent by its one measurement with round 8's rules) since round 9, and dev set 10 (the
former held-out set 10, spent by its one measurement with round 9's rules) since round 10.

Sets are YAML lists of either {text, label: clean|detail, kinds: [...]} (bench/data) or
{text, expect: [...]} (tests/data/screening.yaml; "date_of_birth" there is "dob" here).
This is a benchmark, not a timed test: run it by hand.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from conversation.screening import KINDS, screen  # noqa: E402

PROJECT_SET = ROOT / "tests" / "data" / "screening.yaml"
DEV_SET = ROOT / "bench" / "data" / "screening-dev.yaml"
DEV2_SET = ROOT / "bench" / "data" / "screening-dev2.yaml"
DEV3_SET = ROOT / "bench" / "data" / "screening-dev3.yaml"  # former held-out set 1
DEV4_SET = ROOT / "bench" / "data" / "screening-dev4.yaml"  # former held-out set 2: halves since round 4
DEV5_SET = ROOT / "bench" / "data" / "screening-dev5.yaml"  # former held-out set 4: halves since round 5
DEV6_SET = ROOT / "bench" / "data" / "screening-dev6.yaml"  # former held-out set 5: halves since round 6
DEV7_SET = ROOT / "bench" / "data" / "screening-dev7.yaml"  # former held-out set 6: halves since round 7
DEV8_SET = ROOT / "bench" / "data" / "screening-dev8.yaml"  # former held-out set 8: halves since round 8
DEV9_SET = ROOT / "bench" / "data" / "screening-dev9.yaml"  # former held-out set 9: halves since round 9
DEV10_SET = ROOT / "bench" / "data" / "screening-dev10.yaml"  # former held-out set 10: halves since round 10
VALIDATION_SETS = (DEV4_SET.name, DEV5_SET.name, DEV6_SET.name, DEV7_SET.name, DEV8_SET.name, DEV9_SET.name, DEV10_SET.name)
ALIASES = {"date_of_birth": "dob"}
REPEATS = 3
TARGETS = {"overall": 0.97, "name": 0.97, "numbers": 0.99, "addresses": 0.99, "clean_refused_max": 0.03}
NUMBER_KINDS = ("nhs_number", "upn", "chi_number", "ni_number", "phone", "other_id", "vehicle_reg")
ADDRESS_KINDS = ("address", "postcode")
# The wider grouping (also contacts and dates of birth), printed as a second line for comparison.
NUMBER_KINDS_WIDE = NUMBER_KINDS + ("email", "dob", "social_handle")


def load(path: Path) -> list[dict]:
    items = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    out = []
    for item in items:
        if "expect" in item:
            kinds = [ALIASES.get(k, k) for k in item.get("expect") or []]
        else:
            kinds = [ALIASES.get(k, k) for k in item.get("kinds") or []]
            if item.get("label") == "clean":
                kinds = []
            elif item.get("label") == "detail" and not kinds:
                kinds = ["other_id"]
        out.append({"text": str(item["text"]), "kinds": kinds})
    return out


def evaluate(items: list[dict]) -> dict:
    per_kind = {k: [0, 0] for k in KINDS}
    detail = [i for i in items if i["kinds"]]
    clean = [i for i in items if not i["kinds"]]
    caught = 0
    misses: list[tuple[str, str]] = []
    false_alarms: list[tuple[list[str], str]] = []
    for item in detail:
        got = {f.kind for f in screen(item["text"])}
        caught += bool(got)
        if not got:
            misses.append(("ALL", item["text"]))
        for k in item["kinds"]:
            per_kind.setdefault(k, [0, 0])
            per_kind[k][1] += 1
            if k in got:
                per_kind[k][0] += 1
            elif got:
                misses.append((k, item["text"]))
    refused = 0
    for item in clean:
        got = [f.kind for f in screen(item["text"])]
        if got:
            refused += 1
            false_alarms.append((got, item["text"]))
    def group(kinds: tuple[str, ...]) -> tuple[int, int]:
        return sum(per_kind.get(k, [0, 0])[0] for k in kinds), sum(per_kind.get(k, [0, 0])[1] for k in kinds)
    return {"sentences": len(items), "detail": len(detail), "caught": caught, "clean": len(clean), "refused": refused,
            "per_kind": per_kind, "numbers": group(NUMBER_KINDS), "numbers_wide": group(NUMBER_KINDS_WIDE), "addresses": group(ADDRESS_KINDS),
            "misses": misses, "false_alarms": false_alarms}


def timing(items: list[dict], runs: int = 400, seed: int = 14) -> tuple[float, float]:
    """p50 and p99 (microseconds) of screen() on 500-character notes built from the set's text
    (each note's time is the best of REPEATS runs, so other processes on a shared machine do
    not inflate it; the notes are random, so p99 is the slowest kind of note)."""
    rng = random.Random(seed)
    texts = [i["text"] for i in items] or ["The child said they were worried about home."]
    notes = []
    for _ in range(runs):
        parts, n = [], 0
        while n < 500:
            t = rng.choice(texts)
            parts.append(t)
            n += len(t) + 1
        notes.append(" ".join(parts)[:500])
    for note in notes[:20]:
        screen(note)  # warm up
    times = []
    for note in notes:
        best = float("inf")
        for _ in range(REPEATS):  # best of a few runs, as timeit does: CPU cost, not other load
            t0 = time.perf_counter()
            screen(note)
            best = min(best, time.perf_counter() - t0)
        times.append(best * 1e6)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.99 * len(times)))]


def pct(a: int, b: int) -> str:
    return f"{100.0 * a / b:.1f}% ({a}/{b})" if b else "n/a"


def report(path: Path, heldout: bool, misses: bool, validation_misses: bool = False) -> None:
    items = load(path)
    if not heldout and path.name in VALIDATION_SETS:
        # since round 4 (dev 4), 5 (dev 5), 6 (dev 6), 7 (dev 7), 8 (dev 8), 9 (dev 9): the even half was tuned on, the odd half is validation (aggregate only)
        report_items(items[0::2], f"{path.name}, even sentences", " [tuned on]", misses)
        report_items(items[1::2], f"{path.name}, odd sentences", " [validation half: aggregate only]",
                     misses and validation_misses)
        return
    report_items(items, path.name, " [HELD-OUT: aggregate figures only]" if heldout else "", misses and not heldout)


def report_items(items: list[dict], name: str, tag: str, misses: bool) -> None:
    r = evaluate(items)
    p50, p99 = timing(items)
    print(f"== {name}{tag}: {r['sentences']} sentences, {r['detail']} with a detail, {r['clean']} clean")
    print(f"  overall refused (sentences with a detail): {pct(r['caught'], r['detail'])}")
    print(f"  clean wrongly refused:                     {pct(r['refused'], r['clean'])}")
    print(f"  numbers (NHS, UPN, CHI, NI, phone, ids, vehicles): {pct(*r['numbers'])}")
    print(f"  numbers, also email, dob and handles:      {pct(*r['numbers_wide'])}")
    print(f"  addresses and postcodes:                   {pct(*r['addresses'])}")
    print("  recall per kind:")
    for k, (found, total) in r["per_kind"].items():
        if total:
            print(f"    {k:<14} {pct(found, total)}")
    print(f"  time per 500-character note: p50 {p50:.0f} us, p99 {p99:.0f} us")
    if misses:
        print("  misses:")
        for kind, text in r["misses"]:
            print(f"    [{kind}] {text}")
        print("  false alarms:")
        for got, text in r["false_alarms"]:
            print(f"    {got} {text}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sets", nargs="*", type=Path, help="labelled sets to score (tuning sets)")
    ap.add_argument("--heldout", action="append", type=Path, default=[], help="a held-out set: aggregate figures only")
    ap.add_argument("--misses", action="store_true", help="list misses and false alarms (never for a held-out set)")
    ap.add_argument("--validation-misses", action="store_true",
                    help="with --misses, also list them for the validation set (only once the rules are final)")
    args = ap.parse_args(argv)
    sets = args.sets or [p for p in (PROJECT_SET, DEV_SET, DEV2_SET, DEV3_SET, DEV4_SET, DEV5_SET, DEV6_SET, DEV7_SET, DEV8_SET, DEV9_SET, DEV10_SET) if p.exists()]
    heldout_named = [p for p in sets if "heldout" in str(p).lower()]
    if args.misses and (args.heldout or heldout_named):
        ap.error("--misses is refused when a held-out set is scored: held-out sets give aggregate figures only")
    for path in args.heldout:
        if not path.is_file():
            ap.error(f"no such held-out set: {path}")
        report(path, True, False)
    for path in sets:
        report(path, "heldout" in str(path).lower(), args.misses, args.validation_misses)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
