"""Regenerate english_words.txt: common English words from wordfreq (Apache-2.0 code, data
CC-BY-SA 4.0), a maintained package of word frequencies.

    .venv/bin/pip install wordfreq && .venv/bin/python conversation/screening_data/build_words.py

wordfreq is needed only to run this script; the screener reads the file it writes. A
capitalised or lower-case token that is in no name list and is *not* a common English word
(Zipf frequency below ZIPF) is treated as a possible name when a person cue surrounds it
("Vignesh missed", "dritan's brother", "spoke to kacper"). Common first names are in the
list too (they are frequent words); the name lists find those.
"""
from __future__ import annotations

import re
from pathlib import Path

from wordfreq import top_n_list, zipf_frequency

ZIPF = 3.0
HERE = Path(__file__).parent
WORD = re.compile(r"^[a-z]{2,}$")


def main() -> None:
    words = sorted(w for w in top_n_list("en", 80000) if WORD.match(w) and zipf_frequency(w, "en") >= ZIPF)
    head = ["# Common English words (wordfreq, Zipf >= %.1f), one a line: built by build_words.py." % ZIPF]
    (HERE / "english_words.txt").write_text("\n".join(head + words) + "\n", encoding="utf-8")
    print(len(words))


if __name__ == "__main__":
    main()
