"""conversation.screening, round 6: rules by class, not by sentence. Partial locations a writer
counts as where someone lives (house numbers, lower-case streets, named blocks, Welsh street words,
refuges, hostels and hotels on a road or with a room, a household's address by its surname,
outward codes after an address, a town or a residence cue); names the lists or cues missed
(surnames that are organisation words, from next door, nicknames, initials, possessives and
contractions without an apostrophe, "the smith kids", lower-case names after a relative); numbers
in more shapes; and the same words in clean text. Sentences here are invented for these tests
(not copied from bench/data)."""
from __future__ import annotations

import pytest

from conversation.screening import screen


def kinds(text: str) -> set[str]:
    return {f.kind for f in screen(text)}


@pytest.mark.parametrize("text", [
    "she is staying 2 doors down at no 7 with her aunt",       # a house number with a place cue
    "mum moved back to number 12 last week",
    "Hawthorn Road no 22, side gate",                          # a named street, then its number
    "lives at 9 harrow rd with gran",                          # lower-case street types
    "visit at 17 calder way",
    "above the bookies on station rd, flat 1",
    "14-28 Baxter House, top floor",                           # a numbered block
    "new address 7 Llys Derwen, Wrexham",                      # Welsh street words
    "moved to 11 Clos y Nant",
    "in the refuge on Maple Street since Monday",              # a refuge or hostel on a road
    "the hostel on the A61 again",
    "family in room 12 at the premier inn",                    # a room at a hotel
    "temp accom at the Grand Hotel, room 30",
    "staying at the travelodge in Bradford",                   # a hotel in a town, someone staying
    "dog at the Kowalski house is a concern",                  # a household by its surname
    "lives on Gipton estate",                                  # an estate without "the"
    "moved onto Cardigan Road",                                # a resident on a named street
])
def test_partial_locations_are_addresses(text):
    assert "address" in kinds(text), text


@pytest.mark.parametrize("text", [
    "22 Fern Close, Hull HU5",                                 # an outward code after an address
    "lives 8 dale view ng5",
    "living in Salford M6 now",                                # after a town
    "lives ls9, near the park",                                # lower case after a residence cue
    "BD3 family, known to police",                             # said to be a family's area
])
def test_outward_codes_in_context_are_postcodes(text):
    assert "postcode" in kinds(text), text


@pytest.mark.parametrize("text", [
    "Derek Hall (uncle) said he would collect",                # a surname that is an organisation word
    "Amy Church asked for the letter",
    "Pat next door rang the police",                           # from next door
    "tommo said his step dad hit him",                         # a nickname on a listed first name
    "jonno okafor refused to engage",
    "kayla b kicking off in class",                            # a name and an initial
    "jaydens little sister was crying",                        # a possessive without its apostrophe
    "the kowalski kids were left alone",                       # a household by its surname
    "summer doesnt want to go home",                           # a contraction without its apostrophe
    "maisie n her dad came in",                                # "n" for "and"
    "mums boyfriend dale is back",                             # a relative, then a lower-case name
    "brody was sent home",                                     # a sentence-start name with a predicate
])
def test_names_in_more_shapes(text):
    assert "name" in kinds(text), text


@pytest.mark.parametrize("text, kind", [
    ("hospital no AB1 234 567", "other_id"),                   # a reference in spaced groups
    ("log 1234 of 12/11 for the strategy", "other_id"),        # a police log by its date
    ("grey corsa ending in 'XYK'", "vehicle_reg"),             # a plate fragment after a make
    ("her number is oh 7 9 double 4, 123 then 6 5 4", "phone"),  # spoken in groups
    ("born on christmas day 2015", "dob"),                     # a birthday by its holiday and year
    ("fb name Tasha Louise Brennan", "social_handle"),         # a display name on a platform
])
def test_numbers_and_contacts_in_more_shapes(text, kind):
    assert kind in kinds(text), text


@pytest.mark.parametrize("text", [
    "she lives 2 minutes walk from school",                    # units are no street
    "he came 2nd place in the race",
    "it was 5 in a row",
    "at number 1 on the waiting list",                         # a number on a list, not a house
    "no 1 priority is school attendance",
    "meeting in room 12 at the school",
    "police station on Station Road for interview",            # public buildings on a named road
    "meeting at the town hall on Victoria Street",
    "the library on Park Lane is closed",
    "the foster kids were settled",                            # words that are no surname here
    "the older kids were playing out",
    "KS2 SATs in May, Y6 leavers",                             # school years and key stages
    "the A58 was shut after the crash",                        # roads
    "travelled on the M1 southbound",
    "he needs B12 injections",
    "drove past the travelodge off the M1 on the way",         # motorway services, nobody staying
    "lady from next door called the police",                   # a person noun, not a name
    "on dads side there is a history of diabetes",             # "side" after a relative
    "14yo boy, 2yrs behind",                                   # glued to a number
    "Operation Encompass notification received",               # an operation's name
    "non urgent police 101, log given to school",              # a public number
    "rang 111 for advice",
    "christmas contact rota agreed by both parents",           # a care-work word in a surname list
    "van was parked outside",                                  # a dictionary word, not a name
    "homework was handed in late",
    "born on boxing day, no further info",                     # no year: no date of birth
    "results ending in a pass",
])
def test_clean_text_is_not_refused(text):
    assert kinds(text) == set(), text
