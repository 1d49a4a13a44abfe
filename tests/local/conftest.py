"""A repository of known shape for the local tooling's tests: the Procfile and the web
templates folder as upstream snip has them, so these tests hold in a clone that has
added or removed services."""

from __future__ import annotations

import pytest

PROCFILE = """\
web: exec gunicorn -c python:snipkit.gunicorn_conf web.wsgi:app
links: exec gunicorn -c python:snipkit.gunicorn_conf links.wsgi:app
redirect: exec gunicorn -c python:snipkit.gunicorn_conf redirect.wsgi:app
stats-api: exec gunicorn -c python:snipkit.gunicorn_conf stats.wsgi:app
stats-worker: exec stats worker
"""


@pytest.fixture
def root(tmp_path):
    """A repository top folder with that Procfile, web's templates folder, and room for a .env."""
    (tmp_path / "Procfile").write_text(PROCFILE)
    (tmp_path / "services" / "web" / "web" / "templates").mkdir(parents=True)
    return tmp_path
