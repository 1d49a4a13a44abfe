"""The ``stats`` command: ``stats worker`` (the stats-worker process type) and the admin
processes (``stats db upgrade``, ``stats purge``, ``stats seed-demo``), in the service's own image."""

from snipkit.app import cli

from . import create_app

main = cli(create_app)
