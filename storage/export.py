"""The auditor's export: records as JSON lines or CSV, streamed with flat memory."""
from __future__ import annotations

import csv
import json
from datetime import datetime
from typing import TextIO

from sqlalchemy.orm import Session

from .records import EXPORT_FIELDS, export_row, iter_records


def _csv_cell(field: str, value: object) -> object:
    """CSV for people: lists joined with '; ', the path as 'node=answer; node=answer'."""
    if field == "path" and isinstance(value, list):
        return "; ".join(f"{step.get('node')}={step.get('answer')}" for step in value if isinstance(step, dict))
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "; ".join(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


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
