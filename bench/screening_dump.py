"""Dump every finding (kind, start, end) that locate() gives on every screening set, one line per
sentence, so a speed change can be checked to change no finding:

    .venv/bin/python bench/screening_dump.py > /tmp/before.txt
    ... change ...
    .venv/bin/python bench/screening_dump.py > /tmp/after.txt && diff /tmp/before.txt /tmp/after.txt

Also screens the 500-character notes bench/screening.py times, so joined sentences are checked too.
Prints only kinds and offsets, never text.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.screening import PROJECT_SET, load  # noqa: E402
from conversation.screening import locate  # noqa: E402


def main() -> int:
    sets = [PROJECT_SET] + sorted((ROOT / "bench" / "data").glob("screening-dev*.yaml"))
    for path in sets:
        items = load(path)
        for i, item in enumerate(items):
            print(path.name, i, [(h.kind, h.start, h.end) for h in locate(item["text"])])
        rng = random.Random(14)
        texts = [it["text"] for it in items]
        for j in range(100):
            parts, n = [], 0
            while n < 500:
                t = rng.choice(texts)
                parts.append(t)
                n += len(t) + 1
            print(path.name, "note", j, [(h.kind, h.start, h.end) for h in locate(" ".join(parts)[:500])])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
