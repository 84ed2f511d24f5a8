"""conversation.screening, round 5: rules by class, not by sentence. Shared mailboxes and
organisations' handles by their words; names inside emails and handles; first names that are also
dictionary words at a sentence start; places and things named after people (hyphenated places,
"Stanley park", "Harry Kane shirt", "Martha's Rule"); references, plates, NI numbers, streets and
blocks in more shapes. Sentences here are invented for these tests (not copied from bench/data)."""
from __future__ import annotations

import pytest

from conversation.screening import locate, screen
from conversation.screening.contact_names import _holds_name
from conversation.screening.mailboxes import _org_handle, _role_mailbox


def kinds(text: str) -> set[str]:
    return {f.kind for f in screen(text)}


@pytest.mark.parametrize("text", [
    "referrals go to duty.desk@example-trust.nhs.uk",            # every word listed (round 2's rule)
    "the form goes to gateway.admissions@example.gov.uk",        # a plain English word and a listed one
    "minutes to cp.conferences@example.gov.uk by Friday",        # a plural of a listed word
    "earlyyears@example.gov.uk will confirm the funding",        # words run together
    "the youth service inbox youthservice at example dot gov dot uk",  # written out
    "the council posts on @examplecouncil",                      # an organisation's handle
    "follow @ExampleSchools for closures",                       # split at its capitals
])
def test_shared_mailboxes_and_organisations_handles_are_allowed(text):
    assert kinds(text) == set(), text


@pytest.mark.parametrize("text", [
    "mum's email is youth.team.leeds@gmail.com",                  # a webmail domain: only the list rule
    "dad is jason.duty@example.gov.uk",                           # a first name in the local part
    "the carer is smithfamily@example.co.uk",                     # a surname that is a word
    "her address is the.wards@example.com",                       # a function word and a surname
    "it came from coolteam2014@example.org",                      # digits: a person's, the list rule aside
])
def test_personal_addresses_are_still_refused(text):
    assert "email" in kinds(text), text


def test_mailbox_rule_parts():
    assert _role_mailbox("schoolnursing", "examplehealth.nhs.uk")
    assert not _role_mailbox("schoolnursing", "hotmail.co.uk")
    assert not _role_mailbox("kerry.team", "example.gov.uk")
    assert _org_handle("@YouthService")
    assert not _org_handle("@kayla_xo")


@pytest.mark.parametrize("text,expected", [
    ("mum wants letters sent to dionnefarrell@live.co.uk", True),   # a first name run into a surname
    ("he messages from xXtyroneXx07@outlook.com", True),            # decorative x's trimmed
    ("dad writes from k_okonjo@outlook.com", True),                 # an initial and a surname
    ("her tiktok is @niamhxo_12", True),                            # a handle starting with a name
    ("replies came from kb84@example.com", False),                  # no name in it: an email only
])
def test_a_name_inside_an_email_or_handle(text, expected):
    got = kinds(text)
    assert got & {"email", "social_handle"}, text
    assert ("name" in got) is expected, text
    assert _holds_name("dionnefarrell") and not _holds_name("kb84")


@pytest.mark.parametrize("text", [
    "Amber rating on the risk register, review in six weeks",     # a dictionary-word name, a noun after it
    "Sterling effort from the carers this month",
    "Lily pads and stickers are the reward chart",
    "Blessing in disguise that the move fell through",
    "April is when the tenancy ends",                             # a listed name before "is when"
    "Martha's Rule leaflet was given to mum",                     # a name on a rule
    "new carers live in Stratford-upon-Avon now",                 # a hyphenated place
    "family are relocating to Lewis after Easter",                # moving to a UK place word
    "Thomas Telford school is the preferred placement",           # a name before a place noun
    "Stanley park is where they play after school",
    "Harry Kane shirt was a birthday present",                    # a public figure on a thing
    "Barbie film was the treat at the weekend",
    "Storm Bert flooded the ground floor",                        # a named storm
    "Leeds said the transfer will go ahead",                      # a place that is no first name, speaking
    "Tommee Tippee bottles were not sterilised",                  # a baby-product brand
    "Children's Hearing set for next month",                      # a hearing
    "Ofsted visit is Tues and Weds",                              # day abbreviations
    "Stanley is out of county so transport needs sign off",       # what is said of a place
    "Beverley is a long way for contact visits",
    "Handsworth is a long bus ride from the placement",           # a word in no first-name list, too
    "Yubo is the app she was using",                              # said to be a thing
    "Wizz is another app the girls use",
    "Christ the King is the catholic secondary",
])
def test_places_things_and_words_are_not_names(text):
    assert "name" not in kinds(text), (text, locate(text))


@pytest.mark.parametrize("text", [
    "Amber said she is scared to go home",                        # the same words with a person's cue
    "Lily was crying at drop off",
    "Blessing has not been in school all week",
    "Sterling Ofori was arrested on Friday",
    "Tyler's school called about his attendance",                 # a possessive keeps the name
    "spoke to Stanley about the photos",
    "Stanley is upset about contact",                             # the place word doing what a person does
    "Kai is the school captain this year",                        # a thing noun that goes on
    "Tyler was the boy in the video",
    "DC Hartley took the statement",                              # a place word after a rank is a surname
    "Rojin's home postcode has changed",                          # a person's home, not a care home
    "the boys call him 'Tank' and he runs for them",              # a nickname given to a person
    "callum is staying at his uncle's for now",                   # where a lower-case name stays
    "Gethin hasn't been seen since Monday",                       # a contraction before the predicate
])
def test_names_with_a_persons_cue_are_still_names(text):
    assert "name" in kinds(text), text


@pytest.mark.parametrize("text,kind", [
    ("admission number 004721 on SIMS", "other_id"),
    ("CRN 24/118734/25 for the missing episode", "other_id"),
    ("first bit of the reg was GL20", "vehicle_reg"),
    ("van reg is possibly BD 17 HJK", "vehicle_reg"),
    ("the number plate started with YK", "vehicle_reg"),
    ("look up K381234567012 on S2S please", "upn"),               # the system named after the number
    ("NI no JK 123 456 C for the claim", "ni_number"),            # grouped 3-3
    ("mum gave QQ 12 34 56 C at the desk", "other_id"),           # the specimen prefix, no cue
    ("visited 101 Kingsway, lots of men coming and going", "address"),
    ("they're on the Woodside estate, block 2 flat 17", "address"),
    ("he's at 12 Marlborough Mansions", "address"),
    ("living in a caravan at Meadow View park, pitch 12", "address"),
    ("house at the end of Bramble Way with the blue door", "address"),
])
def test_numbers_and_addresses_in_more_shapes(text, kind):
    assert kind in kinds(text), (text, locate(text))


@pytest.mark.parametrize("text", [
    "policy CP-2024-07 covers this",                              # a year and a month, no NI cue
    "bay 4 in the car park is for blue badges",                   # a car park is no caravan site
    "Year 6 Broadway trip is on Friday",                          # no number before the street word
])
def test_clean_numbers_stay_clean(text):
    assert kinds(text) == set(), (text, locate(text))


def test_a_cued_ni_number_with_a_bad_prefix_is_still_not_called_an_ni_number():
    got = kinds("NI number QQ 12 34 56 C")
    assert "ni_number" not in got and "other_id" in got
