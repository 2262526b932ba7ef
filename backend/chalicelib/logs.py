"""Structured JSON logs that carry no personal data.

Only the fields named in ``ALLOWED`` ever reach a log line: ids, codes,
counts and timings. Names, email addresses, tokens and free text never do,
and an unexpected exception is logged by its type and code location only.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from typing import Any

ALLOWED = frozenset(
    {
        "route",
        "method",
        "status",
        "code",
        "ms",
        "request_id",
        "stis_id",
        "kind",
        "job",
        "count",
        "requests",
        "error_type",
        "where",
    }
)
_RESERVED = frozenset(vars(logging.makeLogRecord({})))

log = logging.getLogger("stis")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "level": record.levelname,
            "logger": record.name,
            "msg": record.msg if isinstance(record.msg, str) else "",
        }
        for key, value in vars(record).items():
            if key in ALLOWED and key not in _RESERVED:
                line[key] = value
        return json.dumps(line, default=str)


def configure() -> None:
    root = logging.getLogger("stis")
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = False


def event(message: str, **fields: Any) -> None:
    log.info(message, extra={k: v for k, v in fields.items() if k in ALLOWED})


def exception(message: str, **fields: Any) -> None:
    kind, _, tb = sys.exc_info()
    frames = traceback.extract_tb(tb)[-3:] if tb else []
    where = " < ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in reversed(frames))
    extra = {k: v for k, v in fields.items() if k in ALLOWED}
    extra.update(error_type=kind.__name__ if kind else "", where=where)
    log.error(message, extra=extra)
