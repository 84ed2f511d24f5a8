"""Walking a flowchart's graph (a pack's questions, a procedure's steps) by id: what the first
box reaches, and the routes that loop back on themselves. Imports nothing of ours."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence


def reachable(successors: Mapping[str, Sequence[str]], start: str) -> set[str]:
    """The ids reached from `start` (itself included when it is in the graph)."""
    found: set[str] = set()
    stack = [start]
    while stack:
        current = stack.pop()
        if current in found or current not in successors:
            continue
        found.add(current)
        stack.extend(successors[current])
    return found


def loops(successors: Mapping[str, Sequence[str]], roots: Iterable[str]) -> list[tuple[str, str, list[str]]]:
    """Every edge back onto the route that led to it, as (from, to, the route round the loop),
    searching depth first from each root in turn (a root already visited is not searched again).
    Edges to ids outside the graph are ignored."""
    state: dict[str, int] = {}  # 1 = on the current route, 2 = finished
    found: list[tuple[str, str, list[str]]] = []

    def visit(node: str, route: list[str]) -> None:
        state[node] = 1
        for target in successors[node]:
            if target not in successors:
                continue
            if state.get(target) == 1:
                found.append((node, target, route[route.index(target):] + [node, target] if target in route else [node, target]))
            elif target not in state:
                visit(target, route + [node])
        state[node] = 2

    for root in roots:
        if root not in state:
            visit(root, [])
    return found
