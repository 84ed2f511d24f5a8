"""The auditor's export: records as JSON lines or CSV, streamed with flat memory."""
from __future__ import annotations

import csv
import json
from datetime import datetime
from typing import TextIO

from sqlalchemy.orm import Session

from .records import EXPORT_FIELDS, export_row, iter_records


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _plain(value: object) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={_plain(v)}" for k, v in value.items() if v is not None)
    return str(value)


def _csv_cell(field: str, value: object) -> str:
    """CSV for people: lists joined with '; ', the path as 'node=answer; node=answer', the
    escalation as 'status=claimed; opened_at=...' (empty parts left out): no JSON in a cell.
    A cell a spreadsheet would run as a formula (= + - @, tab, CR first) is prefixed with '."""
    if field == "path" and isinstance(value, list):
        cell = "; ".join(f"{step.get('node')}={step.get('answer')}" for step in value if isinstance(step, dict))
    else:
        cell = _plain(value)
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def write_export(session: Session, out: TextIO, fmt: str, since: datetime | None = None, team: str | None = None) -> int:
    """Write every matching record to `out`, oldest first; returns how many."""
    writer = None
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=list(EXPORT_FIELDS), lineterminator="\n")
        writer.writeheader()
    count = 0
    for record in iter_records(session, since, team):
        row = export_row(record)
        if writer is not None:
            writer.writerow({k: _csv_cell(k, v) for k, v in row.items()})
        else:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count
