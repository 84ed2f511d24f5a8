"""The policy-pack validator refuses every kind of broken pack, with a message that names
what to fix; the shipped hmg-2008 pack passes; `canishare policy check` says so on the
command line (exit 0) or refuses a broken file readably (exit 1).

Broken packs are built from the real hmg-2008 YAML, one mutation at a time, so each test
shows that one defect alone is enough to refuse the pack.
"""
from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest
import yaml

from policy import ANSWERS, OUTCOMES, PackError, load_pack, parse_pack
from policy.pack import PACKS_DIR, available_packs, load_pack_file

HMG_FILE = PACKS_DIR / "hmg-2008.yaml"
HMG_TEXT = HMG_FILE.read_text(encoding="utf-8")
HMG_RAW = yaml.safe_load(HMG_TEXT)
TINY_FILE = Path(__file__).resolve().parents[1] / "data" / "packs" / "tiny.yaml"
NODE_IDS = list(HMG_RAW["nodes"])


def refused(mutate: Callable[[dict], object], name: str = "broken") -> PackError:
    """Apply `mutate` to a deep copy of hmg-2008, parse it, and return the PackError."""
    raw = copy.deepcopy(HMG_RAW)
    mutate(raw)
    with pytest.raises(PackError) as info:
        parse_pack(raw, name)
    err = info.value
    # Readable: names the pack, then one problem per line.
    text = str(err)
    assert text.startswith(f"policy pack {name!r} is not valid:")
    assert err.problems, "a refused pack must say what is wrong"
    for problem in err.problems:
        assert f"\n  - {problem}" in text
    return err


def only_problem(err: PackError) -> str:
    assert len(err.problems) == 1, err.problems
    return err.problems[0]


# --- the shipped pack ---------------------------------------------------------------------

def test_shipped_pack_is_valid():
    pack = parse_pack(copy.deepcopy(HMG_RAW), "hmg-2008.yaml")
    assert pack.ref == "hmg-2008@1"
    assert pack.start == "danger"
    assert list(pack.nodes) == ["danger", "purpose", "identifiable", "confidential", "consent",
                                "legal_duty", "significant_harm", "serious_crime"]
    assert set(pack.outcomes) == set(OUTCOMES)
    for node in pack.nodes.values():
        assert node.cite.document and node.cite.section, node.id
        assert node.question and node.why, node.id
        assert set(node.answers) == set(ANSWERS), node.id
    assert len(pack.paths()) == 17


def test_load_pack_by_name_matches_the_file_and_is_listed():
    assert "hmg-2008" in available_packs()
    assert load_pack("hmg-2008") == parse_pack(copy.deepcopy(HMG_RAW))


def test_unknown_builtin_pack_is_refused_with_the_available_ones():
    with pytest.raises(PackError) as info:
        load_pack("no-such-pack")
    assert "no-such-pack" in str(info.value)
    assert "hmg-2008" in str(info.value)


def test_minimal_fixture_pack_is_valid():
    pack = load_pack_file(TINY_FILE)
    assert pack.ref == "tiny@3"
    assert len(pack.paths()) == 5


# --- unreachable nodes --------------------------------------------------------------------

def test_orphan_node_is_unreachable():
    def add_orphan(raw):
        raw["nodes"]["orphan"] = copy.deepcopy(raw["nodes"]["purpose"])

    problem = only_problem(refused(add_orphan))
    assert "'orphan'" in problem and "cannot be reached" in problem and "'danger'" in problem


def test_rerouting_around_a_node_makes_it_unreachable():
    def skip_serious_crime(raw):
        raw["nodes"]["significant_harm"]["answers"]["no"] = "do_not_share"

    problem = only_problem(refused(skip_serious_crime))
    assert "'serious_crime'" in problem and "cannot be reached" in problem


# --- cycles (a path that never ends) ------------------------------------------------------

@pytest.mark.parametrize(
    "node, answer, back_to",
    [
        ("serious_crime", "no", "purpose"),  # a long loop back towards the start
        ("consent", "not_sure", "confidential"),  # a short loop in the middle
        ("consent", "not_sure", "consent"),  # a node that leads to itself
        ("serious_crime", "no", "danger"),  # back to the start itself
    ],
)
def test_cycle_is_refused_and_named(node, answer, back_to):
    def loop(raw):
        raw["nodes"][node]["answers"][answer] = back_to

    problem = only_problem(refused(loop))
    assert "never ends in an outcome" in problem
    assert f"{node}" in problem and f"{back_to}" in problem


# --- dangling answers ---------------------------------------------------------------------

def test_answer_to_missing_node_is_refused():
    def typo(raw):
        raw["nodes"]["legal_duty"]["answers"]["no"] = "signficant_harm"

    err = refused(typo)
    dangling = [p for p in err.problems if "does not exist" in p]
    assert dangling == ["node 'legal_duty': answer 'no' leads to 'signficant_harm', which does not exist"]


def test_answer_with_no_target_is_refused():
    def empty(raw):
        raw["nodes"]["danger"]["answers"]["yes"] = None

    problem = only_problem(refused(empty))
    assert "'danger'" in problem and "'yes'" in problem and "does not exist" in problem


def test_answer_to_an_unknown_outcome_is_refused():
    def typo(raw):
        raw["nodes"]["purpose"]["answers"]["no"] = "dont_share"

    problem = only_problem(refused(typo))
    assert "'purpose'" in problem and "'dont_share'" in problem


# --- citations ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "cite",
    [None, {}, {"document": "Information sharing guidance 2008"}, {"section": "Key question 3"},
     {"document": "  ", "section": "Key question 3"}, "Key question 3"],
    ids=["absent", "empty", "no-section", "no-document", "blank-document", "a-string"],
)
def test_node_without_citation_is_refused(cite):
    def uncite(raw):
        if cite is None:
            del raw["nodes"]["confidential"]["cite"]
        else:
            raw["nodes"]["confidential"]["cite"] = cite

    problem = only_problem(refused(uncite))
    assert "'confidential'" in problem and "citation" in problem


# --- answers ------------------------------------------------------------------------------

@pytest.mark.parametrize("node", ["danger", "consent", "serious_crime"])
@pytest.mark.parametrize("answer", ANSWERS)
def test_node_missing_an_answer_is_refused(node, answer):
    def drop(raw):
        del raw["nodes"][node]["answers"][answer]

    err = refused(drop)
    assert f"node {node!r} does not say where {answer!r} leads" in err.problems


def test_node_with_no_answers_at_all_names_all_three():
    def drop_all(raw):
        del raw["nodes"]["purpose"]["answers"]

    err = refused(drop_all)
    for answer in ANSWERS:
        assert f"node 'purpose' does not say where {answer!r} leads" in err.problems


@pytest.mark.parametrize("key", ["maybe", "Not sure", "notsure", 1])
def test_unknown_answer_key_is_refused(key):
    def add(raw):
        raw["nodes"]["purpose"]["answers"][key] = "share"

    problem = only_problem(refused(add))
    assert "'purpose'" in problem and repr(str(key)) in problem and "yes, no and not_sure" in problem


# --- outcomes -----------------------------------------------------------------------------

@pytest.mark.parametrize("outcome", OUTCOMES)
def test_missing_outcome_is_refused(outcome):
    def drop(raw):
        del raw["outcomes"][outcome]

    err = refused(drop)
    assert any(f"outcome {outcome!r} is missing" in p for p in err.problems)


def test_unknown_outcome_is_refused():
    def add(raw):
        raw["outcomes"]["ask_later"] = {"title": "Later", "summary": "Ask later.", "escalate": "none"}

    problem = only_problem(refused(add))
    assert "'ask_later'" in problem


def test_outcome_without_title_is_refused():
    def untitle(raw):
        del raw["outcomes"]["do_not_share"]["title"]

    problem = only_problem(refused(untitle))
    assert "'do_not_share'" in problem and "title" in problem


def test_node_named_like_an_outcome_is_refused():
    def clash(raw):
        raw["nodes"]["share"] = copy.deepcopy(raw["nodes"]["serious_crime"])
        raw["nodes"]["serious_crime"]["answers"]["no"] = "share"

    err = refused(clash)
    assert "node 'share' has the same id as an outcome" in err.problems


# --- grounds for sharing without consent --------------------------------------------------

@pytest.mark.parametrize("node", ["legal_duty", "significant_harm", "serious_crime"])
def test_share_without_consent_without_ground_is_refused(node):
    def plain(raw):
        raw["nodes"][node]["answers"]["yes"] = "share_without_consent"

    problem = only_problem(refused(plain))
    assert f"node {node!r}" in problem and "'yes'" in problem and "no ground" in problem


def test_share_without_consent_with_empty_ground_is_refused():
    def blank(raw):
        raw["nodes"]["legal_duty"]["answers"]["yes"] = {"to": "share_without_consent", "ground": ""}

    problem = only_problem(refused(blank))
    assert "'legal_duty'" in problem and "no ground" in problem


def test_share_without_consent_with_undescribed_ground_is_refused():
    def whim(raw):
        raw["nodes"]["serious_crime"]["answers"]["yes"] = {"to": "share_without_consent", "ground": "whim"}

    problem = only_problem(refused(whim))
    assert "'serious_crime'" in problem and "'whim'" in problem


# --- file and top-level shape -------------------------------------------------------------

@pytest.mark.parametrize("key", ["id", "version", "start", "nodes", "outcomes"])
def test_missing_top_level_key_is_refused(key):
    def drop(raw):
        del raw[key]

    assert f"missing top-level key {key!r}" in refused(drop).problems


@pytest.mark.parametrize("raw", [None, "just text", ["a", "list"], 42])
def test_pack_that_is_not_a_mapping_is_refused(raw):
    with pytest.raises(PackError) as info:
        parse_pack(raw, "odd.yaml")
    assert "mapping" in str(info.value) and "'odd.yaml'" in str(info.value)


def test_version_must_be_a_whole_number():
    problem = only_problem(refused(lambda raw: raw.__setitem__("version", "one")))
    assert "version" in problem and "'one'" in problem


def test_start_must_be_a_node():
    err = refused(lambda raw: raw.__setitem__("start", "dangr"))
    assert "start 'dangr' is not a node" in err.problems


def test_empty_nodes_are_refused():
    err = refused(lambda raw: raw.__setitem__("nodes", {}))
    assert "the pack has no nodes" in err.problems


def test_every_problem_is_listed_at_once():
    def many(raw):
        del raw["nodes"]["consent"]["cite"]
        del raw["nodes"]["purpose"]["answers"]["not_sure"]
        raw["nodes"]["legal_duty"]["answers"]["yes"] = "share_without_consent"
        del raw["outcomes"]["urgent"]

    text = str(refused(many))
    for expected in ("'consent' has no citation", "'purpose' does not say where 'not_sure'",
                     "'legal_duty': answer 'yes' shares without consent", "outcome 'urgent' is missing"):
        assert expected in text


def test_bad_yaml_file_is_refused(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: broken\nnodes: [danger,\n  purpose: {\n", encoding="utf-8")
    with pytest.raises(PackError) as info:
        load_pack_file(path)
    assert "not valid YAML" in str(info.value)
    assert "broken.yaml" in str(info.value)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(PackError) as info:
        load_pack_file(tmp_path / "nowhere.yaml")
    assert "no such file" in str(info.value)


# --- bare YAML yes / no -------------------------------------------------------------------

def test_bare_yaml_yes_no_keys_are_accepted():
    bare = HMG_TEXT.replace('"yes":', "yes:").replace('"no":', "no:")
    raw = yaml.safe_load(bare)
    # The edit really produced YAML 1.1 booleans, so the loader has something to undo.
    assert True in raw["nodes"]["danger"]["answers"] and False in raw["nodes"]["danger"]["answers"]
    assert True in raw["nodes"]["danger"]["labels"]
    pack = parse_pack(raw, "bare.yaml")
    assert pack == load_pack("hmg-2008")
    assert pack.nodes["legal_duty"].answers["yes"].ground == "legal_duty"
    assert pack.nodes["danger"].answer_label("no") == "No — not in immediate danger"


def test_bare_keys_in_the_fixture_file_are_read_as_answers():
    pack = load_pack_file(TINY_FILE)
    assert set(pack.nodes["ask"].answers) == set(ANSWERS)
    assert pack.nodes["ask"].answers["yes"].to == "share"
    assert pack.nodes["check"].answers["no"].to == "do_not_share"


# --- malformed sections (found while writing these tests; see the report) -----------------

@pytest.mark.parametrize(
    "mutate",
    [
        lambda raw: raw["nodes"]["consent"].__setitem__("answers", ["yes", "no", "not_sure"]),
        lambda raw: raw["nodes"]["consent"].__setitem__("labels", ["Yes", "No"]),
        lambda raw: raw["outcomes"]["share_without_consent"].__setitem__("grounds", ["legal_duty"]),
    ],
    ids=["answers-list", "labels-list", "grounds-list"],
)
def test_section_of_the_wrong_shape_is_refused_readably(mutate):
    err = refused(mutate)
    assert any("consent" in p for p in err.problems)


def test_ground_that_is_not_a_name_is_refused():
    def listed(raw):
        raw["nodes"]["legal_duty"]["answers"]["yes"] = {"to": "share_without_consent", "ground": ["legal_duty"]}

    err = refused(listed)
    assert any("'legal_duty'" in p for p in err.problems)


def test_advice_as_a_single_string_is_not_split_into_characters():
    raw = copy.deepcopy(HMG_RAW)
    raw["outcomes"]["do_not_share"]["advice"] = "Record your reasons."
    try:
        pack = parse_pack(raw, "one-line-advice")
    except PackError as err:
        assert "'do_not_share'" in str(err)
    else:
        assert pack.outcomes["do_not_share"].advice == ("Record your reasons.",)


def test_the_same_answer_given_twice_is_refused():
    def twice(raw):
        raw["nodes"]["danger"]["answers"][True] = "share"  # bare `yes:` next to the quoted "yes": urgent

    err = refused(twice)
    assert any("'danger'" in p for p in err.problems)


# --- the command line ---------------------------------------------------------------------

def canishare_exe() -> str:
    exe = Path(sys.executable).parent / "canishare"
    return str(exe) if exe.exists() else "/work/main/.venv/bin/canishare"


def run_check(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CANISHARE_CONFIG"}
    return subprocess.run([canishare_exe(), "policy", "check", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)


def test_cli_policy_check_passes_the_default_pack(tmp_path):
    # Without a configuration the default pack is hmg-2024, the current advice.
    result = run_check(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "hmg-2024@2: valid" in result.stdout
    assert "(100%)" in result.stdout
    result = run_check(tmp_path, "hmg-2008")
    assert result.returncode == 0, result.stderr
    assert "hmg-2008@1: valid" in result.stdout and "17 paths" in result.stdout


def test_cli_policy_check_passes_a_valid_pack_file(tmp_path):
    result = run_check(tmp_path, str(TINY_FILE))
    assert result.returncode == 0, result.stderr
    assert "tiny@3: valid — 2 questions, 5 outcomes, 5 paths" in result.stdout


def test_cli_policy_check_refuses_a_broken_pack_file(tmp_path):
    raw = copy.deepcopy(HMG_RAW)
    raw["nodes"]["legal_duty"]["answers"]["no"] = "signficant_harm"
    del raw["nodes"]["consent"]["answers"]["not_sure"]
    path = tmp_path / "broken-pack.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    result = run_check(tmp_path, str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "broken-pack.yaml" in result.stderr and "is not valid" in result.stderr
    assert "node 'legal_duty': answer 'no' leads to 'signficant_harm', which does not exist" in result.stderr
    assert "node 'consent' does not say where 'not_sure' leads" in result.stderr
    assert "valid —" not in result.stdout


def test_cli_policy_check_refuses_bad_yaml(tmp_path):
    path = tmp_path / "garbled.yaml"
    path.write_text("id: garbled\nnodes: [danger,\n", encoding="utf-8")
    result = run_check(tmp_path, str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "not valid YAML" in result.stderr


def test_cli_policy_check_refuses_a_wrongly_shaped_pack_readably(tmp_path):
    raw = copy.deepcopy(HMG_RAW)
    raw["nodes"]["consent"]["answers"] = ["yes", "no", "not_sure"]
    path = tmp_path / "listy.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    result = run_check(tmp_path, str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "'consent'" in result.stderr
