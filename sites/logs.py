"""Structured logs: every line carries the id of the request it belongs to.

``RequestIdMiddleware`` takes the reverse proxy's ``X-Request-ID`` (when it looks like an id) or
makes one, returns it in the response and keeps it in a context variable for the duration of
the request; ``RequestIdFilter`` puts it on every log record, and ``JsonFormatter`` writes one
JSON object per line (``LOG_FORMAT=json``, the production default) for log collectors.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

HEADER = "X-Request-ID"
# What a proxy may hand us: ids (UUIDs, nginx's $request_id, …), never arbitrary text that
# would end up in every log line.
ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
NO_REQUEST = "-"

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "request_id", default=NO_REQUEST
)
request_logger = logging.getLogger("trustportal.request")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if ACCEPTED_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = current_request_id.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            # The URL pattern, not the path: paths carry secrets (signed download links,
            # e-mail verification and feed tokens) that must not reach the log collector.
            match = getattr(request, "resolver_match", None)
            where = "/" + match.route if match is not None else "(unmatched)"
            request_logger.info(
                "%s %s %s",
                request.method,
                where,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": where,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            current_request_id.reset(token)


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = current_request_id.get()
        return True


#: Attributes every LogRecord has; anything else on a record came from ``extra=`` and is kept.
_STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class NotServiceUnavailable(logging.Filter):
    """Drops the records of 503 answers. The portal answers 503 on purpose (a file it will not
    serve, the database out of reach), each with its own alert; mailed to ``ADMINS`` by
    Django's error mail, an outage would send one message per request."""

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "status_code", None) != 503


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", NO_REQUEST),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and key not in entry and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)
