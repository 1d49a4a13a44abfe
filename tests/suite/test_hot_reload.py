"""make dev's hot reload: a gunicorn service started with the GUNICORN_CMD_ARGS make dev
gives it serves an edited module and an edited template without a restart by hand."""

from __future__ import annotations

import textwrap

import requests

from snipdev.dev import reload_args
from snipdev.services import Process
from testkit.processes import ServiceProcess, wait_until

APP = """
from flask import render_template

import snipkit

GREETING = "hello"


def create_app(test_config=None):
    app = snipkit.create_app("greeter", __name__, [], test_config)
    app.get("/")(lambda: f"{GREETING}, " + render_template("name.html"))
    return app
"""

WSGI = "from snipkit.app import serve\n\nfrom . import create_app\n\napp = serve(create_app)\n"


def test_an_edited_module_and_template_are_served_without_a_restart(tmp_path, started):
    package = tmp_path / "services" / "greeter" / "greeter"
    (package / "templates").mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(APP))
    (package / "wsgi.py").write_text(WSGI)
    (package / "templates" / "name.html").write_text("world")
    process = Process("greeter", "exec gunicorn -c python:snipkit.gunicorn_conf greeter.wsgi:app")
    env = {"PYTHONPATH": str(package.parent), "GUNICORN_CMD_ARGS": reload_args(process, tmp_path)}
    server = ServiceProcess.gunicorn("greeter", "greeter.wsgi:app", env)
    started.append(server)
    server.start()

    def says(text: str):
        def check():
            try:
                return requests.get(server.url, timeout=2).text == text
            except requests.RequestException:
                return False  # workers restarting

        return check

    assert says("hello, world")()
    (package / "__init__.py").write_text(textwrap.dedent(APP).replace('"hello"', '"hi"'))
    wait_until(says("hi, world"), 30, "the edited module served")
    (package / "templates" / "name.html").write_text("snip")
    wait_until(says("hi, snip"), 30, "the edited template served")
