"""gunicorn entry point: ``gunicorn -c python:snipkit.gunicorn_conf redirect.wsgi:app``."""

from snipkit.app import serve

from . import create_app

app = serve(create_app)
