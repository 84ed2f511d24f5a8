"""Parsing and validating a policy pack: every problem is collected before one is refused (an
unreachable node, a path that never ends, an answer that leads nowhere, a node without a citation)."""
from __future__ import annotations

from typing import Any

from .outcomes import OUTCOMES
from .pack_model import ANSWERS, ESCALATIONS, Answer, Citation, Node, Outcome, Pack, PackError, answer_key
from .record_choices import parse_record_choices
from .routes import loops, reachable


def _citation(raw: Any) -> Citation | None:
    if not isinstance(raw, dict):
        return None
    document, section = str(raw.get("document", "")).strip(), str(raw.get("section", "")).strip()
    return Citation(document, section) if document and section else None


def _mapping(value: Any, what: str, problems: list[str]) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(f"{what} must be a mapping (key: value lines), not a {type(value).__name__}")
        return {}
    return value


def _listed(value: Any, what: str, problems: list[str]) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(f"{what} must be a list of bullet points (lines starting with '- ')")
        return []
    return value


def parse_pack(raw: Any, name: str = "<pack>") -> Pack:
    """Build a Pack from parsed YAML, collecting every problem before refusing it."""
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise PackError(name, ["the file must be a mapping with id, version, start, nodes and outcomes"])
    for key in ("id", "version", "start", "nodes", "outcomes"):
        if key not in raw:
            problems.append(f"missing top-level key {key!r}")
    if problems:
        raise PackError(name, problems)
    pack_id = str(raw["id"])
    try:
        version = int(raw["version"])
    except (TypeError, ValueError):
        problems.append(f"version must be a whole number, not {raw['version']!r}")
        version = 0

    outcomes: dict[str, Outcome] = {}
    raw_outcomes = raw["outcomes"] if isinstance(raw["outcomes"], dict) else {}
    for oid, body in raw_outcomes.items():
        oid = str(oid)
        if oid not in OUTCOMES:
            problems.append(f"outcome {oid!r} is not one of {', '.join(OUTCOMES)}")
        body = body if isinstance(body, dict) else {}
        if not body.get("title") or not body.get("summary"):
            problems.append(f"outcome {oid!r} needs a title and a summary")
        outcomes[oid] = Outcome(
            id=oid,
            title=str(body.get("title", "")),
            summary=str(body.get("summary", "")).strip(),
            advice=tuple(str(a).strip() for a in _listed(body.get("advice"), f"outcome {oid!r}: advice", problems)),
            cite=_citation(body.get("cite")),
            grounds={str(k): str(v).strip() for k, v in _mapping(body.get("grounds"), f"outcome {oid!r}: grounds", problems).items()},
            procedure=int(body["procedure"]) if str(body.get("procedure", "")).isdigit() else None,
            referral_grounds=tuple(str(g) for g in _listed(body.get("referral_grounds"), f"outcome {oid!r}: referral_grounds", problems)),
            escalate=str(body.get("escalate", "")),
        )
        if outcomes[oid].escalate not in ESCALATIONS:
            problems.append(f"outcome {oid!r}: escalate must say how the safeguarding lead is told, one of "
                            f"{', '.join(ESCALATIONS)}, not {body.get('escalate')!r}")
        if body.get("procedure") is not None and outcomes[oid].procedure is None:
            problems.append(f"outcome {oid!r}: procedure must be a procedure number (1 to 5)")
        for g in outcomes[oid].referral_grounds:
            if g not in outcomes[oid].grounds:
                problems.append(f"outcome {oid!r}: referral ground {g!r} is not one of its grounds")
    for oid in OUTCOMES:
        if oid not in outcomes:
            problems.append(f"outcome {oid!r} is missing (every pack offers all five outcomes)")
    # What the two escalating outcomes promise the practitioner ("your lead has been told",
    # "marked urgent") must be what the pack declares.
    for oid, least in (("seek_advice", ("routine", "urgent")), ("urgent", ("urgent",))):
        if oid in outcomes and outcomes[oid].escalate in ESCALATIONS and outcomes[oid].escalate not in least:
            problems.append(f"outcome {oid!r} tells the practitioner their lead is told, so escalate must be "
                            f"{' or '.join(least)}, not {outcomes[oid].escalate!r}")

    nodes: dict[str, Node] = {}
    raw_nodes = raw["nodes"] if isinstance(raw["nodes"], dict) else {}
    if not raw_nodes:
        problems.append("the pack has no nodes")
    for nid, body in raw_nodes.items():
        nid = str(nid)
        body = body if isinstance(body, dict) else {}
        if nid in outcomes:
            problems.append(f"node {nid!r} has the same id as an outcome")
        if not body.get("question"):
            problems.append(f"node {nid!r} has no question")
        if not body.get("why"):
            problems.append(f"node {nid!r} has no 'why' text")
        cite = _citation(body.get("cite"))
        if cite is None:
            problems.append(f"node {nid!r} has no citation (cite: {{document: ..., section: ...}})")
        labels = {answer_key(k): str(v) for k, v in _mapping(body.get("labels"), f"node {nid!r}: labels", problems).items()}
        answers: dict[str, Answer] = {}
        for key, target in _mapping(body.get("answers"), f"node {nid!r}: answers", problems).items():
            key = answer_key(key)
            if key not in ANSWERS:
                problems.append(f"node {nid!r} offers answer {key!r}; answers are yes, no and not_sure")
                continue
            if key in answers:
                problems.append(f"node {nid!r} gives {key!r} twice (is one of them a bare yes/no and one quoted?)")
                continue
            ground = None
            if isinstance(target, dict):
                ground = target.get("ground")
                target = target.get("to")
                if ground is not None and not isinstance(ground, str):
                    problems.append(f"node {nid!r}: the ground of {key!r} must be a single name")
                    ground = None
            answers[key] = Answer(key, str(target), ground, labels.get(key))
        for key in ANSWERS:
            if key not in answers:
                problems.append(f"node {nid!r} does not say where {key!r} leads")
        nodes[nid] = Node(
            id=nid,
            question=str(body.get("question", "")).strip(),
            why=str(body.get("why", "")).strip(),
            cite=cite or Citation("", ""),
            answers=answers,
            help=(str(body["help"]).strip() if body.get("help") else None),
        )

    start = str(raw["start"])
    if start not in nodes:
        problems.append(f"start {start!r} is not a node")
    problems += _graph_problems(nodes, outcomes, start)
    record = parse_record_choices(raw.get("record"), set(outcomes) & set(OUTCOMES), problems)
    if problems:
        raise PackError(name, problems)
    return Pack(
        id=pack_id,
        version=version,
        title=str(raw.get("title", pack_id)),
        source=str(raw.get("source", "")),
        start=start,
        nodes=nodes,
        outcomes=outcomes,
        record=record,
    )


def _graph_problems(nodes: dict[str, Node], outcomes: dict[str, Outcome], start: str) -> list[str]:
    problems: list[str] = []
    for node in nodes.values():
        for ans in node.answers.values():
            if ans.to not in nodes and ans.to not in outcomes:
                problems.append(f"node {node.id!r}: answer {ans.answer!r} leads to {ans.to!r}, which does not exist")
            if ans.to == "share_without_consent":
                grounds = outcomes.get("share_without_consent")
                if not ans.ground:
                    problems.append(f"node {node.id!r}: answer {ans.answer!r} shares without consent but names no ground")
                elif grounds is not None and ans.ground not in grounds.grounds:
                    problems.append(f"node {node.id!r}: ground {ans.ground!r} is not described under share_without_consent.grounds")
    if start not in nodes:
        return problems

    successors = {nid: [a.to for a in node.answers.values()] for nid, node in nodes.items()}
    reached = reachable(successors, start)
    for nid in nodes:
        if nid not in reached:
            problems.append(f"node {nid!r} cannot be reached from {start!r}")
    # A cycle means some path never ends in an outcome.
    for _, _, loop in loops(successors, [start]):
        problems.append("a path never ends in an outcome: it loops " + " -> ".join(dict.fromkeys(loop)))
    return problems
