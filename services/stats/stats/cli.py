"""The ``stats`` command: ``stats worker`` (the stats-worker process type) and the admin
processes (``stats db upgrade``, ``stats purge``, ``stats seed-demo``), in the service's own image."""

from snipkit.app import cli

from . import create_app, worker

# The worker is the group's own command: it builds its health app, not stats-api's.
main = cli(create_app, worker.command)
