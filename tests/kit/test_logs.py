"""snipkit.logs: one JSON object per line with the fields a log router expects."""

from __future__ import annotations

import io
import json
import logging
from datetime import timedelta

from gunicorn.config import Config

from snipkit import logs


def _format(record_logger: str, message: str, **extra) -> dict:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    logger = logging.getLogger(record_logger)
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        logger.info(message, extra=extra)
    finally:
        logger.removeHandler(handler)
    (line,) = stream.getvalue().splitlines()
    return json.loads(line)


def test_line_has_the_standard_fields_and_extras():
    token = logs.request_id_var.set("rid-1")
    try:
        entry = _format("snip.test", "hello %s", user="ann")
    finally:
        logs.request_id_var.reset(token)
    assert entry["message"] == "hello %s"
    assert entry["level"] == "INFO" and entry["logger"] == "snip.test" and entry["request_id"] == "rid-1"
    assert entry["user"] == "ann" and entry["timestamp"].endswith("+00:00")


def test_exceptions_stay_on_one_line():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    logger = logging.getLogger("snip.exc")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    (line,) = stream.getvalue().splitlines()
    assert "ValueError: boom" in json.loads(line)["exception"]


def test_access_line_is_one_json_object_whatever_the_path(capfd):
    class Response:
        status_code = 404
        headers = [("Content-Type", "application/json"), ("X-Request-ID", "rid-9")]

    class Request:
        method = "GET"
        path = '/r/a"b\\c\u00e9\n'

    cfg = Config()
    cfg.set("accesslog", "-")
    capfd.readouterr()
    logs.GunicornLogger(cfg).access(Response, Request, {"REMOTE_ADDR": "10.1.2.3"}, timedelta(milliseconds=12.345))
    (line,) = capfd.readouterr().out.splitlines()
    entry = json.loads(line)
    assert entry["path"] == Request.path and entry["message"] == f"GET {Request.path} 404"
    assert entry["request_id"] == "rid-9" and entry["status"] == 404 and entry["duration_ms"] == 12.35
    assert entry["logger"] == "access" and entry["remote_addr"] == "10.1.2.3"
    assert entry["timestamp"].endswith("+00:00") and len(entry["timestamp"]) == len("2026-01-01T00:00:00.000+00:00")
