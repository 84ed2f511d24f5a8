"""The procedures' model: a procedure, its steps and its dated, cited timescales, as frozen dataclasses."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from .pack import Citation
from .yamlfile import DataFileError

PLACEHOLDER = "{timescale}"
_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                 "nine", "ten", "eleven", "twelve")
_UNIT_WORDS = {"hours": ("hour", "hours"), "working_days": ("working day", "working days"),
               "days": ("day", "days"), "months": ("month", "months")}


class ProcedureError(DataFileError, kind="procedure", named="procedure"):
    """A procedure that must not be used; the message lists every problem found."""


@dataclass(frozen=True)
class Timescale:
    unit: str  # hours / working_days / days / months
    amount: int  # a positive whole number
    # Where the value comes from; not part of equality, so Timescale("hours", 48) still
    # equals a shipped 48-hour timescale whatever its provenance.
    since: date | None = field(default=None, compare=False)  # the date the value has applied since
    source: Citation | None = field(default=None, compare=False)  # the text that states it
    local: bool = field(default=False, compare=False)  # True: no national text states it

    def describe(self) -> str:
        """'48 hours', '1 working day', '15 working days', '3 months'."""
        singular, plural = _UNIT_WORDS[self.unit]
        return f"{self.amount} {singular if self.amount == 1 else plural}"

    def spellings(self) -> tuple[str, ...]:
        """Ways a step's text may say this timescale: '1 working day', 'one working day'."""
        found = [self.describe()]
        if 0 <= self.amount < len(_NUMBER_WORDS):
            singular, plural = _UNIT_WORDS[self.unit]
            found.append(f"{_NUMBER_WORDS[self.amount]} {singular if self.amount == 1 else plural}")
        return tuple(found)

    def __str__(self) -> str:
        return self.describe()


@dataclass(frozen=True)
class Step:
    id: str
    who: str
    what: str  # as shown: {timescale} already replaced by the timescale's value
    timescale: str | None  # a key of Procedure.timescales, or None
    next: tuple[str, ...]  # ids of the following steps; empty for an end step
    branch: str | None = None  # label on the edge into this step
    template: str = field(default="", compare=False)  # `what` as written, {timescale} included

    @property
    def is_end(self) -> bool:
        return not self.next


@dataclass(frozen=True)
class Procedure:
    id: str
    number: int
    title: str
    summary: str
    cite: Citation
    timescales: dict[str, Timescale]
    steps: dict[str, Step]  # in file order
    start: str  # the first step's id

    def timescale_of(self, step_id: str) -> Timescale | None:
        name = self.steps[step_id].timescale
        return self.timescales[name] if name else None

    def ends(self) -> list[str]:
        """Ids of the steps that end the procedure, in file order."""
        return [s.id for s in self.steps.values() if s.is_end]

    def local_timescales(self) -> dict[str, Timescale]:
        return {name: t for name, t in self.timescales.items() if t.local}

    def with_local(self, overrides: Mapping[str, Timescale] | None) -> "Procedure":
        """This procedure with the organisation's own values for its local timescales.

        Names this procedure does not use are ignored (a configuration sets a name for
        every procedure that has it); a national timescale cannot be overridden."""
        if not overrides:
            return self
        timescales = dict(self.timescales)
        for name, value in overrides.items():
            if name not in timescales:
                continue
            if not timescales[name].local:
                raise ValueError(f"timescale {name!r} is national ({timescales[name].source}); only local "
                                 f"timescales can be set by an organisation")
            timescales[name] = replace(timescales[name], unit=value.unit, amount=value.amount)
        steps = {sid: replace(st, what=_fill(st.template or st.what, timescales.get(st.timescale or "")))
                 for sid, st in self.steps.items()}
        return replace(self, timescales=timescales, steps=steps)


def _fill(template: str, timescale: "Timescale | None") -> str:
    return template.replace(PLACEHOLDER, timescale.describe()) if timescale else template
