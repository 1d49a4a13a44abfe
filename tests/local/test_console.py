"""snipdev.console.ReadablePrinter: the services' JSON lines as one short line each, for
people; and make dev choosing it on a terminal, JSON lines elsewhere."""

from __future__ import annotations

import io
import json
import re
from collections import namedtuple

import pytest

from snipdev import settings
from snipdev.console import ReadablePrinter
from snipdev.dev import printer_for
from snipdev.procfile import JsonPrinter

#: What honcho hands a printer: a chunk of one process's output.
Message = namedtuple("Message", "type data time name colour")
ANSI = re.compile(r"\033\[[0-9;]*m")


def shown(*lines: str, name: str = "links", colour: bool = False) -> str:
    out = io.StringIO()
    printer = ReadablePrinter(out, colour=colour)
    printer.write(Message("line", "\n".join(lines).encode(), None, name, None))
    return out.getvalue()


def entry(**fields) -> str:
    base = {"timestamp": "2026-05-04T12:04:31.120+00:00", "level": "INFO", "service": "links", "host": "vm"}
    return json.dumps({**base, "logger": "links", "request_id": None, **fields})


def test_an_access_line_is_short():
    text = shown(
        entry(logger="access", message="POST /api/links 201", request_id="6f1c2a9b0c7d4e8f", method="POST",
              path="/api/links", status=201, duration_ms=4.2, remote_addr="127.0.0.1")
    )  # fmt: skip
    assert re.fullmatch(r"\d\d:\d\d:\d\d links +POST /api/links 201 4 ms req 6f1c2a9b\n", text)


def test_levels_other_than_info_are_named_and_extra_fields_follow():
    text = shown(entry(level="WARNING", message="cannot count clicks now", retry_s=1, settings={"a": 1}))
    assert text.split(maxsplit=1)[1] == "links         WARNING cannot count clicks now retry_s=1\n"


def test_an_exception_follows_its_line_indented():
    text = shown(entry(level="ERROR", message="boom", exception="Traceback (most recent call last):\n  KeyError"))
    assert text.splitlines()[1:] == ["    Traceback (most recent call last):", "      KeyError"]


def test_a_line_that_is_not_json_is_shown_as_it_is_and_probes_are_left_out():
    probe = entry(logger="access", message="GET /readyz 200", path="/readyz")
    text = shown("Traceback: the app failed to import", probe)
    assert text.split(maxsplit=1)[1] == "links         Traceback: the app failed to import\n"


def test_the_process_name_is_shown_not_the_package_it_logs_as():
    assert " stats-api " in shown(entry(service="stats", message="configured"), name="stats-api")


def test_colour_only_when_asked_for():
    plain = shown(entry(level="ERROR", message="boom"))
    coloured = shown(entry(level="ERROR", message="boom"), colour=True)
    assert not ANSI.search(plain)
    assert ANSI.search(coloured) and ANSI.sub("", coloured) == plain


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("log_format", "output", "extra", "chosen", "colour"),
    [
        ("auto", Terminal(), {}, ReadablePrinter, True),
        ("auto", Terminal(), {"NO_COLOR": "1"}, ReadablePrinter, False),
        ("auto", io.StringIO(), {}, JsonPrinter, None),
        ("json", Terminal(), {}, JsonPrinter, None),
        ("text", io.StringIO(), {}, ReadablePrinter, False),
    ],
)
def test_make_dev_prints_for_people_on_a_terminal_and_json_elsewhere(root, log_format, output, extra, chosen, colour):
    local = settings.load(root, environ={"LOG_FORMAT": log_format, **extra})
    printer = printer_for(local, output)
    assert type(printer) is chosen
    if colour is not None:
        assert printer.colour is colour
