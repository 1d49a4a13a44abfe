"""The ``redirect`` command: admin processes in the service's own image (``redirect db upgrade``)."""

from snipkit.app import cli

from . import create_app

main = cli(create_app)
