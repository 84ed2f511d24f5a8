"""Reading a YAML data file, with errors that say which file and what is wrong."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import yaml


def read_yaml(path: str | Path, error: Callable[[str, list[str]], Exception]) -> tuple[Any, str]:
    """The parsed file and its name; `error(name, problems)` is raised when it cannot be read."""
    path = Path(path)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), path.name
    except FileNotFoundError:
        raise error(str(path), [f"no such file: {path}"]) from None
    except yaml.YAMLError as err:
        raise error(str(path), [f"not valid YAML: {err}"]) from None
