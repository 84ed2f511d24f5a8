"""conversation.screening: finds personal details in free text before anything is stored,
reports only the kind of detail (never the text), is fast, and does not log."""
from __future__ import annotations

import ast
import dataclasses
import itertools
import logging
import re
import time
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conversation import screening
from conversation.screening import data as screening_data
from conversation.screening import namelists
from conversation.screening import KINDS, LABELS, Finding, explain, screen
from tests.screening_report import evaluate, load

ITEMS = load()
SET_KINDS = ("nhs_number", "ni_number", "postcode", "phone", "email", "dob", "name")


def kinds(text: str) -> list[str]:
    return [f.kind for f in screen(text)]


def nhs_check_digit(nine: str) -> int | None:
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1)))
    check = 11 - total % 11
    return {11: 0, 10: None}.get(check, check)


# --------------------------------------------------------------------------- the labelled set


def test_labelled_set_shape():
    assert len(ITEMS) >= 240
    ident = [i for i in ITEMS if i["expect"]]
    assert 0.4 <= len(ident) / len(ITEMS) <= 0.6, "about half the sentences carry identifiers"
    for item in ITEMS:
        assert set(item["expect"]) <= set(KINDS), item
        assert len(item["expect"]) == len(set(item["expect"])), item
    texts = [i["text"] for i in ITEMS]
    assert len(texts) == len(set(texts)), "no duplicate sentences"
    # The project's set covers the seven kinds it was written for; the kinds added by issue 14
    # are covered by the cases below and by bench/data (bench/screening.py).
    for kind in SET_KINDS:
        n = sum(kind in i["expect"] for i in ITEMS)
        assert n >= 20, f"only {n} sentences labelled {kind}"


def test_labelled_set_meets_targets():
    r = evaluate(ITEMS)
    detection = r["ident_caught"] / r["ident_total"]
    false_alarms = r["clean_rejected"] / r["clean_total"]
    per_kind = {k: f"{found}/{total} ({found / total:.1%})" for k, (found, total) in r["per_kind"].items() if total}
    report = (
        f"identifier sentences caught {r['ident_caught']}/{r['ident_total']} ({detection:.2%}); "
        f"clean sentences rejected {r['clean_rejected']}/{r['clean_total']} ({false_alarms:.2%}); "
        f"per-kind recall {per_kind}; "
        f"misses {[m['text'] for m in r['misses'] if 'missed_kind' not in m]}; "
        f"false alarms {[(m['got'], m['text']) for m in r['false_alarms']]}"
    )
    print(report)
    assert detection >= 0.99, report
    assert false_alarms <= 0.02, report


def test_per_kind_recall_does_not_regress():
    r = evaluate(ITEMS)
    for kind, (found, total) in r["per_kind"].items():
        if kind not in SET_KINDS:
            continue
        floor = 0.95 if kind == "name" else 1.0
        assert found / total >= floor, f"{kind}: {found}/{total}"


def _labelled(kind: str) -> list[str]:
    return [i["text"] for i in ITEMS if kind in i["expect"]]


def test_dataset_nhs_numbers_are_valid_test_numbers():
    pattern = re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")
    seen = 0
    for text in _labelled("nhs_number"):
        for m in pattern.finditer(text):
            digits = re.sub(r"\D", "", m.group())
            assert digits.startswith("999"), f"not in the 999 test range: {text}"
            assert nhs_check_digit(digits[:9]) == int(digits[9]), f"bad check digit: {text}"
            seen += 1
    assert seen >= 20


# Ofcom ranges reserved for drama (national significant numbers, without the 0).
DRAMA_PREFIXES = (
    "7700900", "2079460", "1134960", "1144960", "1154960", "1164960", "1174960", "1184960",
    "1214960", "1314960", "1414960", "1514960", "1614960", "1914980", "1632960", "8081570",
    "2920180", "2896496", "3069990", "9098790",
)


def test_dataset_phone_numbers_are_drama_numbers():
    seen = 0
    for item in ITEMS:
        for m in phonenumbers.PhoneNumberMatcher(item["text"], "GB", leniency=phonenumbers.Leniency.POSSIBLE):
            nsn = str(m.number.national_number)
            if not m.raw_string.lstrip("(").startswith(("0", "+")) or len(nsn) < 9:
                continue  # fragments of NI numbers, dates, amounts
            assert m.number.country_code == 44 and nsn.startswith(DRAMA_PREFIXES), item["text"]
            seen += 1
    assert seen >= 20


def test_dataset_emails_and_ni_numbers_are_invented():
    for item in ITEMS:
        for domain in re.findall(r"@([A-Za-z0-9.\-]+)", item["text"]):
            assert "example" in domain.lower().split("."), item["text"]
    for text in _labelled("ni_number"):
        m = re.search(r"\b([A-Za-z]{2})[ \-]?\d{2}[ \-]?\d{2}[ \-]?\d{2}[ \-]?[A-Da-d]\b", text)
        assert m and m.group(1).upper() in {"CR", "MW", "NC", "PP", "PY", "PZ"}, text


# --------------------------------------------------------------------------- specific cases


@pytest.mark.parametrize("text", [
    "NHS number 999 484 8801",
    "NHS number 9994848801.",
    "nhs no 999-484-8801",
    "Gave 999 017 7406 to the ward.",
])
def test_valid_nhs_numbers_are_found(text):
    assert "nhs_number" in kinds(text)


@pytest.mark.parametrize("text", [
    "NHS number 999 484 8802",   # check digit wrong
    "NHS number 9994848809",
    "nhs no 999-017-7400",
    "NHS number 999 999 9999",   # ten identical digits pass mod 11 but are placeholders
    "NHS number 0000000000",
    "NHS number 999 484 88011",  # eleven digits
])
def test_nhs_numbers_with_bad_check_digit_are_not_nhs_numbers(text):
    assert "nhs_number" not in kinds(text)


def test_nhs_check_digit_of_ten_is_never_valid():
    # 999000004x: weights give a remainder of 1, so the check digit would be 10.
    nine = next(f"{n:09d}" for n in range(10**8, 10**9) if nhs_check_digit(f"{n:09d}") is None)
    assert not any("nhs_number" in kinds(f"NHS {nine}{d}") for d in range(10))


@pytest.mark.parametrize("text", [
    "NI number AB123456C", "ni ab 12 34 56 c", "NINO: JT-12-34-56-A", "NI CE 123456 D",
])
def test_ni_numbers_are_found(text):
    assert "ni_number" in kinds(text)


@pytest.mark.parametrize("text", [
    "NI number QQ123456C",   # Q never a first letter
    "NI number DA123456A",   # D never a first letter
    "NI number FY123456A",   # F never a first letter
    "NI number AO123456A",   # O never a second letter
    "NI number GB123456A",   # prefixes never issued
    "NI number NK123456A",
    "NI number TN123456A",
    "NI number ZZ123456A",
    "NI number AB123456E",   # suffix is A-D
    "meet at 12 34 56 a",    # lower-case common word
])
def test_invalid_ni_numbers_are_not_ni_numbers(text):
    assert "ni_number" not in kinds(text)


@pytest.mark.parametrize("text", ["LS9 4QT", "ls94qt", "SW1A 2AA", "w1a 4ww", "EH11  2DQ", "B23 7QS."])
def test_full_postcodes_are_found(text):
    assert "postcode" in kinds(f"They live at {text}")


@pytest.mark.parametrize("text", [
    "the LS6 bus", "the M62 junction", "bus 42A", "Year 10", "room B12", "QQ1 1AA",  # QQ is not an area
    "SE1 1CA",  # C is never an inward letter
    "on the E5 4th floor",
])
def test_non_postcodes_are_not_postcodes(text):
    assert "postcode" not in kinds(text)


@pytest.mark.parametrize("text", ["somewhere in OL11", "moved to the NW10 area", "lives in LS9"])
def test_outward_postcodes_said_to_be_where_someone_is_are_found(text):
    assert "postcode" in kinds(text)


# --------------------------------------------------------------------------- issue 14: kinds that generalise
# Every name and number below is invented; NHS/UPN/CHI numbers pass their check digits.


def test_nhs_numbers_in_any_grouping_via_stdnum():
    for text in ("NHS 999 017 7406", "NHS 9990 177 406", "nhs 99 90 17 74 06", "NHS 9990-177-406", "NHS 999.017.7406",
                 "NHS 9990177 406", "NHS 99901 77406"):
        assert "nhs_number" in kinds(text), text
    assert "nhs_number" not in kinds("NHS 9990 177 407")


def test_upn_and_chi_numbers():
    from stdnum.gb import upn
    assert upn.is_valid("B801200005001")
    assert "upn" in kinds("Her UPN is B801200005001 at the new school")
    assert "upn" not in kinds("Her UPN is B801200005002 at the new school".replace("UPN", "code"))
    # CHI: a date of birth (DDMMYY) and four digits, with the NHS mod-11 check digit.
    nine = "270917511"
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1)))
    chi = nine + str((11 - total % 11) % 11)
    assert "chi_number" in kinds(f"CHI number {chi} from the Scottish GP")
    assert "chi_number" in kinds(f"Community Health Index {chi[:6]} {chi[6:]}")


@pytest.mark.parametrize("text", ["NI number PP 25 27 16", "national insurance PP252716", "NINO PP 25 27 16 D"])
def test_ni_numbers_with_partial_suffix(text):
    assert "ni_number" in kinds(text)


@pytest.mark.parametrize("text", [
    "mum's mobile is 7700 900123", "ring 7700900123 after school",
    "her number is oh seven seven oh oh, nine hundred, one two three",
    "dad's new number seven seven double oh nine oh oh five two eight",
])
def test_phone_numbers_without_a_leading_zero_or_in_words(text):
    assert "phone" in kinds(text)


@pytest.mark.parametrize("text", [
    "Call the NSPCC helpline on 0808 800 5000", "Childline is 0800 1111", "Samaritans on 116 123",
    "FRANK helpline 0300 123 6600 given to the young person", "Dad called 999",
])
def test_public_helplines_are_allowed(text):
    assert "phone" not in kinds(text)


@pytest.mark.parametrize("text", [
    "kerry dot hughes at gmail dot com", "k.hughes84 at example dot co dot uk", "kerry.hughes (at) example.com",
])
def test_emails_written_out(text):
    assert "email" in kinds(text)


@pytest.mark.parametrize("text", [
    "Sent it to mash@example.gov.uk", "Referral emailed to the front door, frontdoor at example dot gov dot uk",
    "Copied in safeguarding.team@example.sch.uk",
])
def test_organisational_mailboxes_are_allowed(text):
    assert "email" not in kinds(text)


@pytest.mark.parametrize("text", ["her snapchat is kezz_2011", "posting as @kerry_h22 on tiktok", "ig: @zuza.nowakk"])
def test_social_media_handles(text):
    assert "social_handle" in kinds(text)


@pytest.mark.parametrize("text", ["car reg AB12 CDE outside school", "a silver van, FY16 XLE", "classic car TGH 482K"])
def test_vehicle_registrations(text):
    assert "vehicle_reg" in kinds(text)


@pytest.mark.parametrize("text", [
    "They live at 14 Elm Grove Road", "moved to 3 Station Road with nan", "Flat 3, Tower House, Mill Lane",
    "The Old Rectory, Church Lane is the dad's address", "staying at 27b Acacia Avenue",
])
def test_street_addresses_and_flats(text):
    assert "address" in kinds(text)


@pytest.mark.parametrize("text", [
    "mum aoife rang the school", "grace's mum says she has been staying out", "mehwish akhtar says he controls the money",
    "the Nowak address was visited", "PC Nowak attended", "spoke to health visitor Okafor", "DS Warsame took the call",
    "Dr Chowdhury saw him", "Abdirahman said he was scared", "Siobhan's dad collected her", "Ionut missed school",
    "Kowalczyk family have moved out of the area", "J. Kowalski signed the agreement", "Rose came in upset",
    "Popescu children were not in school", "Oisín missed 4 days",
])
def test_names_of_many_backgrounds_lowercase_possessive_surnames_and_titles(text):
    assert "name" in kinds(text), text


@pytest.mark.parametrize("text", [
    "Guy Fawkes Night is a worry for the dog", "The family were placed in Beverley", "Rose Cottage Children's Centre",
    "He has Down's syndrome", "Finn's Law came up at the school talk", "Referred to Alder Hey",
    "seen at the Evelina for the cardiac follow up", "The Hope Valley trip is in half term",
    "The child wrote a poem called Hope", "Brook said she can attend the drop-in clinic", "Clare's Law disclosure requested",
    "The health visitor will call on Tuesday", "Jenny Lind children's ward admitted the baby",
])
def test_places_eponyms_and_services_are_not_names(text):
    assert kinds(text) == [], text


def test_locate_gives_spans_of_what_was_found():
    text = "Told Kerry Hughes, ring 07700 900123"
    hits = screening.locate(text)
    assert {(h.kind, text[h.start:h.end]) for h in hits} >= {("phone", "07700 900123")}
    assert any(h.kind == "name" and "Kerry" in text[h.start:h.end] for h in hits)


def test_word_and_name_lists_are_data_files_beside_the_code():
    data = Path(screening.__file__).parents[1] / "screening_data"
    assert screening_data.DATA_DIR == data.resolve()
    for name in ("stop_words.txt", "org_words.txt", "role_words.txt", "first_names.txt", "names_first.txt",
                 "names_surnames.txt", "names_extra.txt", "titles.txt", "allow.yaml"):
        assert (data / name).stat().st_size > 100, name
    assert len(namelists._WIDE_NAMES) > 10000


@pytest.mark.parametrize("text", [
    "07700 900123", "07700900123", "+44 7700 900123", "+447700900123", "0044 7700 900123",
    "020 7946 0123", "(0113) 496 0456", "+44 (0)20 7946 0999", "0161-496-0555", "01632 960123",
])
def test_phone_numbers_are_found(text):
    assert "phone" in kinds(f"Call on {text} please")


@pytest.mark.parametrize("text", [
    "at 10:30", "£1,150.00", "ref 24-00318", "Year 9", "1:1 support", "score 12 out of 30",
    "Police log 0715", "Dad called 999", "the 2023/24 year", "aged 14",
])
def test_numbers_that_are_not_phone_numbers(text):
    assert "phone" not in kinds(text)


def test_email():
    # Round 5: an address that holds a surname ("hughes") is also reported as a name, as the
    # independent sets label it; one with no name in it is an email only.
    assert kinds("mum is k.hughes84@example.com") == ["name", "email"]
    assert kinds("mum is kb84@example.com") == ["email"]
    assert "email" not in kinds("emailed the school @ 10am")


@pytest.mark.parametrize("text", [
    "DOB 03/04/2012", "d.o.b. 3.4.12", "born on 22 March 2019", "date of birth: 2008-02-29",
    "Mum confirmed his DOB as April 3rd 2014", "her birthday is 5th June", "Born in March 2017",
    "Child: 12/06/2016, lives with nan", "Leah (03/04/2012) is in Year 8", "He will be 18 on 29 February 2028",
])
def test_dates_of_birth_are_found(text):
    assert "dob" in kinds(text)


@pytest.mark.parametrize("text", [
    "Strategy meeting on 14 February 2024 agreed a section 47 enquiry.",
    "Home visit on 05/03/2024, mum was not in.",
    "Referral received 02/02/2024 from school.",
    "Since 1 September 2023 attendance has been 82%.",
    "Between 1/9/23 and 20/7/24 there were eleven missing episodes.",
    "He was born in 2012.",
    "She was born prematurely.",
    "We do not have a DOB for the baby yet.",
    "Meeting at 10:30 on Tuesday 3 April.",
    "See section 3.4.12 of the procedure.",
    "She will be 6 months pregnant on 1 May 2024.",
])
def test_event_dates_and_other_dates_are_not_dates_of_birth(text):
    assert "dob" not in kinds(text)


@pytest.mark.parametrize("text", [
    "Pupil Jayden said he had not eaten.",
    "Mum, Kerry Hughes, said she was worried.",
    "Spoke to Mrs Okafor about contact.",
    "Amelia Brown, the child, told her teacher.",
    "Oakley's mum called.",
    "Mia Robinson, aged 7, was collected late.",
    "Staff are worried about the Hughes family.",
    "Her daughter Tiegan has been missing.",
    "mum kerry said she would ring",
    "The child's name is Brogan.",
])
def test_names_are_found(text):
    assert "name" in kinds(text)


@pytest.mark.parametrize("text", [
    "Mum said she was worried.",
    "Shared with Children's Social Care.",
    "Early Help will offer support.",
    "The Designated Safeguarding Lead agreed.",
    "Police Scotland were informed.",
    "The Head agreed to share it.",
    "He attends St Mary's Catholic Primary School.",
    "He attends St. Mary's on Mondays.",
    "Mum receives Child Benefit.",
    "I spoke to mum on Tuesday afternoon.",
    "Dad FaceTimed the child every night.",
    "The risk was rated Amber.",
])
def test_ordinary_capitalised_phrases_are_not_names(text):
    assert "name" not in kinds(text)


def test_findings_are_distinct_and_in_stable_order():
    text = ("Jayden Smith, DOB 03/04/2012, NHS 999 484 8801, NI PP252716D, LS9 4QT, "
            "07700 900123, k.hughes@example.com")
    seven = [k for k in KINDS if k in SET_KINDS]
    assert kinds(text) == seven
    assert kinds(text + " and again 07700 900124, 999 017 7406") == seven
    for item in ITEMS:
        got = kinds(item["text"])
        assert got == [k for k in KINDS if k in got]


def test_finding_is_frozen_and_holds_only_kind_and_label():
    assert [f.name for f in dataclasses.fields(Finding)] == ["kind", "label"]
    f = screen("Call 07700 900123")[0]
    assert f == Finding("phone", "a phone number")
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.kind = "x"  # type: ignore[misc]


def test_empty_and_odd_input():
    assert screen("") == []
    assert screen("   \n ") == []
    assert screen(None) == []  # type: ignore[arg-type]
    assert explain([]) == ""


# --------------------------------------------------------------------------- explain()


def test_explain_example_message():
    # Labels follow the stable order of KINDS, whatever order the findings are in.
    msg = explain([Finding("phone", LABELS["phone"]), Finding("postcode", LABELS["postcode"])])
    assert msg == ("This looks like it contains a phone number and a postcode. "
                   "Please describe it without details that identify someone.")
    assert explain([Finding("name", LABELS["name"])]) == (
        "This looks like it contains a name. Please describe it without details that identify someone.")


def test_explain_is_short_for_every_combination():
    for r in range(1, len(KINDS) + 1):
        for combo in itertools.combinations(KINDS, r):
            msg = explain([Finding(k, LABELS[k]) for k in combo])
            assert len(msg) < 150, msg
            assert msg.startswith("This looks like it contains ")
            assert msg.endswith(". Please describe it without details that identify someone.")
            assert LABELS[combo[0]] in msg
            if r <= 2:
                assert all(LABELS[k] in msg for k in combo), msg
            elif not all(LABELS[k] in msg for k in combo):
                assert "other personal details" in msg or "personal details" in msg, msg


def test_explain_never_contains_the_matched_text():
    template_words = set(re.findall(r"[a-z]+", " ".join(
        [explain([Finding(k, LABELS[k]) for k in KINDS])] + list(LABELS.values())
        + ["personal details other"]).lower()))
    for item in ITEMS:
        found = screen(item["text"])
        msg = explain(found)
        assert bool(msg) == bool(found)
        if not msg:
            continue
        assert not re.search(r"\d|@", msg), msg
        msg_words = set(re.findall(r"[a-z]+", msg.lower()))
        for word in re.findall(r"[A-Za-z]+", item["text"]):
            if word.lower() not in template_words:
                assert word.lower() not in msg_words, (word, item["text"])


# --------------------------------------------------------------------------- purity and speed


def test_module_imports_only_stdlib_and_phonenumbers():
    modules = sorted(Path(screening.__file__).parent.glob("*.py"))
    assert len(modules) > 5
    imported = set()
    called = set()
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 300, path.name
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level:
                imported.add((node.module or "").split(".")[0])
        called |= {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert imported <= {"__future__", "re", "bisect", "dataclasses", "pathlib", "unicodedata", "phonenumbers", "stdnum",
                        "yaml"}, imported
    assert not called & {"print", "open", "input", "exec", "eval"}, called


def test_screen_does_not_log_or_print(caplog, capsys):
    caplog.set_level(logging.DEBUG)
    for item in ITEMS:
        explain(screen(item["text"]))
    assert caplog.records == []
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


@pytest.mark.parametrize("text", [
    "0 " * 1500, "x@" * 1500, "jan." * 750, "Mr " * 1000, "1/" * 1500, "a" * 2990 + "@b.com",
    "Jayden " * 430, "(0" * 1500, "9" * 3000, "Mum, " * 600,
])
def test_slack_sized_pathological_input_is_fast(text):
    t0 = time.perf_counter()
    screen(text)
    assert time.perf_counter() - t0 < 5  # a guard against catastrophic backtracking, not a speed target


# --------------------------------------------------------------------------- properties

FIXED_WORDING = " ".join(
    list(KINDS) + list(LABELS.values())
    + [explain([Finding(k, LABELS[k]) for k in combo])
       for r in range(1, len(KINDS) + 1) for combo in itertools.combinations(KINDS, r)]
)


def grams(text: str, n: int = 5) -> set[str]:
    return {text[i:i + n] for i in range(len(text) - n + 1)}


def valid_nhs(n: int) -> str | None:
    nine = f"{n:09d}"
    check = nhs_check_digit(nine)
    return None if check is None else nine + str(check)


def fmt_nhs(digits: str, style: int) -> str:
    return [digits, f"{digits[:3]} {digits[3:6]} {digits[6:]}", f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"][style]


identifier = st.one_of(
    st.builds(lambda n, s: fmt_nhs(valid_nhs(n) or "9994848801", s), st.integers(0, 10**9 - 1), st.integers(0, 2)),
    st.builds(lambda a, d: f"{a}{d:06d}C", st.sampled_from(["PP", "CR", "MW", "PZ"]), st.integers(0, 999999)),
    st.builds(lambda n: f"07700 900{n:03d}", st.integers(0, 999)),
    st.builds(lambda u: f"{u}@example.com", st.from_regex(r"[a-z][a-z0-9.]{0,10}[a-z]", fullmatch=True)),
    st.sampled_from(["LS9 4QT", "m14 6rq", "DOB 03/04/2012", "Kerry Hughes, mum,", "Mrs Okafor", "pupil Jayden"]),
)
filler = st.sampled_from(["Mum said", "the child", "shared with", "because", "Dad", "on Monday", "and", "."])
messy = st.lists(st.one_of(identifier, filler, st.text(max_size=30)), max_size=12).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=600))
def test_screen_never_raises_and_returns_only_fixed_findings(text):
    found = screen(text)
    assert [f.kind for f in found] == [k for k in KINDS if k in {f.kind for f in found}]
    for f in found:
        assert type(f) is Finding and f == Finding(f.kind, LABELS[f.kind])
    assert len(explain(found)) < 150


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(st.one_of(st.text(max_size=400), messy))
def test_findings_never_contain_input_text(text):
    # Inputs that themselves contain the fixed wording ("phone number") cannot tell a leak
    # from the label, so they are left out; everything else must share no 5-character run.
    input_grams = grams(text)
    assume(not any(g in FIXED_WORDING for g in input_grams))
    found = screen(text)
    for f in found:
        for g in input_grams:
            assert g not in f.kind and g not in f.label
    msg = explain(found)
    assert not any(g in msg for g in input_grams)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**9 - 1), st.integers(0, 2), st.sampled_from(["NHS number ", "Gave ", "nhs: ", "("]),
       st.sampled_from(["", ".", " to the GP", ")", ", shared"]))
def test_any_valid_nhs_number_is_found_and_a_wrong_check_digit_is_not(n, style, before, after):
    digits = valid_nhs(n)
    assume(digits is not None and len(set(digits)) > 1)
    assert "nhs_number" in kinds(before + fmt_nhs(digits, style) + after)
    wrong = digits[:9] + str((int(digits[9]) + 1 + n % 9) % 10)
    assert "nhs_number" not in kinds(before + fmt_nhs(wrong, style) + after)


# --------------------------------------------------------------------------- round 2 (issue 14)
# Invented sentences written for these rules (not taken from any held-out set).


@pytest.mark.parametrize("text,kind", [
    ("spoke to wiktoria about the bruise", "name"),            # lower case, after a contact verb
    ("told by ngozi that dad hits mum", "name"),
    ("the Przybylski household is chaotic", "name"),           # surname alone
    ("Siobhán came in late again", "name"),                    # diacritics
    ("mcdonagh boys fighting at the gate", "name"),            # Mc- surname, lower case
    ("Dawit cried when asked about home", "name"),             # in no list, a person verb after it
    ("river said he hates his stepdad", "name"),               # a word used as a name, strong cue
    ("health visitor Bronagh did the visit", "name"),
    ("Zainab-Noor went missing overnight", "name"),
    ("the child, JT, said she is hungry", "name"),             # initials
    ("gamertag xXDarkWolfXx", "social_handle"),
    ("adds people on discord as nightowl#4471", "social_handle"),
    ("14 Cranleigh Gardens is the new address", "address"),
    ("placement address is 22 Harebell", "address"),
    ("moved to m14 last week", "postcode"),
    ("case number 4482190", "other_id"),
])
def test_round2_details_are_found(text, kind):
    assert kind in kinds(text), text


@pytest.mark.parametrize("text", [
    "Cleethorpes was where the family went on holiday",        # a place in no name list
    "Thurrock safeguarding partnership took the referral",
    "Kidscape ran an anti bullying session",                  # organisations
    "Stonewall training booked for staff",
    "Ysgol Gymraeg Bro Morgannwg is the school",
    "Evri parcel with vapes in it",
    "Calvin Klein boxers in the wash",                        # brands named after people
    "the Jay report is on the training list",                 # eponyms
    "Gillick principle explained to her",
    "nan has Raynaud's so cannot walk far in the cold",
    "Navratri dancing every night so she is tired",           # festivals
    "Galop 0800 999 5428 given to him",                      # organisations' phone ranges
    "Brook clinic gave advice",
])
def test_round2_clean_text_is_not_refused(text):
    assert kinds(text) == [], text
