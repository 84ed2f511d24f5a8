"""conversation.screening, round 9 (round9.py, and the inflection check in namelists): more shapes of
a place someone lives (a number and "the" and a street word, a postcode sector said to be an area, a
street then its house number, a home off a numbered road, a Traveller or caravan site and a pitch on
it, Welsh street words with "'r", URN references, a spelled email after "mum at"), more shapes of a person (a possessive before a
part of the body, a name with a relation or an age in brackets, a family's plural possessive before a
home), lower-case inflected English words that are not names ("soiling", "excluded"), health professions
"saying something" ("Optician said") and compound verbs ("Jack-knifed") that are not names.
Sentences here are invented for these tests (not copied from bench/data)."""
from __future__ import annotations

import pytest

from conversation.screening import screen
from conversation.screening.namelists import _inflected_en


def kinds(text: str) -> set[str]:
    return {f.kind for f in screen(text)}


ADDRESSES = [
    "moved into 14 the Paddocks last month",
    "nan's place is 3 the Green, Bramley",
    "home visit at 22 the Orchard, no one in",
    "lives on Eastgate, number 41, top floor",
    "the flat on Harrow Road, no 9, has damp",
    "cottage just off the A614, down a track",
    "family staying in a caravan off the B1249",
    "van parked on a lay-by near the A64 since Friday",
    "the Dunmore Lane Traveller site, near the river",
    "the family are on pitch 6 at the caravan site",
    "visit to 4 Heol'r Ysgol, dad answered",
]
POSTCODES = [
    "LS9 6 area, exact house not known",
    "she gave the M14 7 postcode only",
    "somewhere in the BD5 9 district",
]
NAMES = [
    "mark on Tyler's cheek, said it was a toy",
    "red marks on Hunter's left arm seen at pickup",
    "Dermot Kane (stepdad) now living in the home",
    "Shona (9) said she is scared at night",
    "the Pearsons' house has no heating",
    "the Hollands' caravan was moved by the council",
]
EMAILS = ["pass the letter to nan at tess.marlow at example dot org", "forward to dad at k.oduya at example dot co dot uk"]
OTHER_IDS = ["URN 31TB/4471/24 on the police notification", "school urn 104522 on the referral"]
CLEAN = [
    "Teacher's arm was in a sling so TA covered",
    "mum's face lit up when he read aloud",
    "Mum (dad) said homework was done",
    "year 6 the Green Team won sports day",
    "see page 4 the Drive section of the handbook",
    "on Monday, number 3 of the targets was met",
    "drove home on the A1 after the meeting",
    "the Governors' meeting is on Thursday",
    "bus 5 area stop moved to the front gate",
    "the soiling continued, school nurse informed",
    "pupil excluded for two days, reintegration planned",
    "bed wetting and nightmares, GP referral",
    "the key stage 2 area of the playground",
    "meet mum at leeds.gov at noon",
    "Optician said both eyes need glasses",
    "Paramedic said no injuries seen",
    "Pharmacist said the prescription was collected late",
    "Jack-knifed caravan on the bypass delayed the visit",
    "Sky-rocketing rent arrears, family worried",
]
PROFESSION_THEN_NAME = ["dentist Farouki said the teeth were decayed", "spoke to physio Brannigan today",
                        "Mary-jane said she was scared", "Jack-Paul said he was hungry"]


@pytest.mark.parametrize("text", ADDRESSES)
def test_places_someone_lives_are_addresses(text):
    assert "address" in kinds(text)


@pytest.mark.parametrize("text", POSTCODES)
def test_postcode_sectors_said_to_be_an_area_are_postcodes(text):
    assert "postcode" in kinds(text)


@pytest.mark.parametrize("text", NAMES)
def test_names_by_body_part_bracket_or_family_possessive(text):
    assert "name" in kinds(text)


@pytest.mark.parametrize("text", EMAILS)
def test_spelled_email_after_a_person_and_at(text):
    assert "email" in kinds(text)


@pytest.mark.parametrize("text", OTHER_IDS)
def test_urn_is_a_reference_cue(text):
    assert "other_id" in kinds(text)


@pytest.mark.parametrize("text", CLEAN)
def test_same_words_in_clean_text(text):
    assert kinds(text) == set()


@pytest.mark.parametrize("text", PROFESSION_THEN_NAME)
def test_names_after_professions_and_hyphenated_names_stay_names(text):
    assert "name" in kinds(text)


def test_inflected_english_words():
    assert _inflected_en("wetting") and _inflected_en("sectioned") and _inflected_en("continence")
    assert _inflected_en("hurried")
    assert not _inflected_en("kacper") and not _inflected_en("ahmed") and not _inflected_en("irving")
