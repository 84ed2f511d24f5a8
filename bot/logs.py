"""Log set-up: plain text for a terminal, or one JSON object per line for a log pipeline.

A correlation id ties together the lines of one Slack request (and the work it starts); it is
random, never derived from the payload. What is logged is unchanged by the format: kinds,
ids of our own rows and error classes, never free text, tokens or payloads.
"""
from __future__ import annotations

import contextvars
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor

from pythonjsonlogger.json import JsonFormatter

FORMATS = ("text", "json")
correlation_id: contextvars.ContextVar[str] = contextvars.ContextVar("correlation_id", default="-")


class ContextExecutor(ThreadPoolExecutor):
    """Bolt's listener executor, carrying the request's correlation id into the work each
    listener hands it (bot/listeners.acked)."""

    def submit(self, fn, /, *args, **kwargs):
        return super().submit(contextvars.copy_context().run, fn, *args, **kwargs)


def new_correlation_id() -> str:
    cid = uuid.uuid4().hex[:12]
    correlation_id.set(cid)
    return cid


class _Correlation(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id.get()
        return True


def configure(level: int, log_format: str = "text") -> None:
    """Replace the root handlers with one stderr handler in the chosen format."""
    if log_format not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, not {log_format!r}")
    handler = logging.StreamHandler()
    handler.addFilter(_Correlation())
    if log_format == "json":
        handler.setFormatter(JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            datefmt="%Y-%m-%dT%H:%M:%S%z"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
