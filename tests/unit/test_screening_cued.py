"""conversation.screening, round 8 (cued_details): details found by a general shape next to a cue.
A postcode after "postcode" in any case, an address cue and a house number with words after it, a
house number and a house word, named houses and farms with a locality, a flat number after a
preposition, compact and year-first dates after a DOB cue, webmail addresses written out ("dani
underscore p at hotmail", "rob.t (at) gmail"), a reference in a phone's grouping after a reference
cue; and the same words in clean text.
Sentences here are invented for these tests (not copied from bench/data)."""
from __future__ import annotations

import pytest

from conversation.screening import screen
from conversation.screening.cued_details import _HOUSE_WORDS8


def kinds(text: str) -> set[str]:
    return {f.kind for f in screen(text)}


POSTCODE_AFTER_CUE = [
    "postcode given as WF3 only",
    "post code starts ne6, rest unknown",
    "she said the postcode was sk14 something",
    "postcode: LS11 7QX",
]
ADDRESS_CUE_NUMBER = [
    "home address: 7 the willows",
    "new address is 22 the meadows, near school",
    "address - 15 orchard rise",
    "gran lives at 3 the spinney",
]
NUMBER_AND_HOUSE_WORD = [
    "no 6 Railway Cottages by the level crossing",
    "he's at 2 Lower Mill Farm now",
    "back at 11 Station Bungalows",
]
NAMED_HOUSE_WITH_LOCALITY = [
    "Meadow View Farm near Thirsk",
    "The Old Vicarage, Hemsby",
    "staying at Ivy Cottage in Brampton",
]
FLAT_AFTER_PREPOSITION = [
    "stayed at flat 3 for a bit",
    "seen going into flat 14b",
    "her flat 9 has no heating",
]
DOB_COMPACT = [
    "dob 110816 for the baby",
    "date of birth 03052014",
    "DOB: 20140503",
    "dob 2016/09/21",
    "born 09-21-2016",
]
EMAIL_WEBMAIL_SPELLED = [
    "email dani underscore p at hotmail",
    "email is rob.t (at) gmail",
    "her email kay dot m dot 7 at yahoo",
]
REF_IN_PHONE_GROUPING = [
    "police incident number 2025-0311-0912 for the missing episode",
    "log number 0161-554-2210 from the call handler",
]
CLEAN = [
    "postcode lottery for services, mum says",         # a postcode cue with no code
    "Flat 3, second floor, no lift - hard with the pram",  # a flat number alone (project set: clean)
    "was in the flat 2 days without going out",        # a flat, then a count of days
    "address 3 concerns at the next meeting",          # "address" as a verb
    "the farm visit was a good day out",               # a house word with no name or number
    "cottage pie for tea at the family centre",
    "dob not known, mum to bring the red book",        # a DOB cue with no date
    "born 2 weeks early",
    "log in at outlook on the school laptop",           # "at" and a webmail word, no address
]


@pytest.mark.parametrize("text", POSTCODE_AFTER_CUE)
def test_a_postcode_after_a_postcode_cue_in_any_case(text):
    assert "postcode" in kinds(text), text


@pytest.mark.parametrize("text", ADDRESS_CUE_NUMBER + NUMBER_AND_HOUSE_WORD + NAMED_HOUSE_WITH_LOCALITY
                         + FLAT_AFTER_PREPOSITION)
def test_cued_and_house_word_addresses(text):
    assert "address" in kinds(text), text


@pytest.mark.parametrize("text", DOB_COMPACT)
def test_compact_and_year_first_dates_after_a_dob_cue(text):
    assert "dob" in kinds(text), text


@pytest.mark.parametrize("text", CLEAN)
def test_the_same_words_in_clean_text(text):
    assert kinds(text) == set(), text


def test_house_words_come_from_the_data_file():
    assert {"cottages", "farm", "rectory"} <= _HOUSE_WORDS8


@pytest.mark.parametrize("text", EMAIL_WEBMAIL_SPELLED)
def test_webmail_addresses_written_out(text):
    assert "email" in kinds(text), text


@pytest.mark.parametrize("text", REF_IN_PHONE_GROUPING)
def test_a_reference_in_a_phone_grouping_is_also_a_reference(text):
    assert "other_id" in kinds(text), text
