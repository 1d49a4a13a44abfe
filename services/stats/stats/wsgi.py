"""gunicorn entry point for stats-api: ``gunicorn -c python:snipkit.gunicorn_conf stats.wsgi:app``."""

from snipkit.app import serve

from . import create_app

app = serve(create_app)
