"""Reading a YAML data file, with errors that say which file and what is wrong."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import yaml


class DataFileError(ValueError):
    """A data file (pack, procedure, scenarios) that must not be used; lists every problem."""

    kind = "data file"

    def __init_subclass__(cls, kind: str = "", named: str = "", **kwargs) -> None:
        """`class PackError(DataFileError, kind="policy pack", named="pack")`: the words its message
        starts with, and a second name for `name` (err.pack is err.name)."""
        super().__init_subclass__(**kwargs)
        if kind:
            cls.kind = kind
        if named:
            setattr(cls, named, property(lambda self: self.name))

    def __init__(self, name: str, problems: list[str]):
        self.name = name
        self.problems = problems
        listed = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{self.kind} {name!r} is not valid:\n{listed}")


def read_yaml(path: str | Path, error: Callable[[str, list[str]], Exception]) -> tuple[Any, str]:
    """The parsed file and its name; `error(name, problems)` is raised when it cannot be read."""
    path = Path(path)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), path.name
    except FileNotFoundError:
        raise error(str(path), [f"no such file: {path}"]) from None
    except yaml.YAMLError as err:
        raise error(str(path), [f"not valid YAML: {err}"]) from None
