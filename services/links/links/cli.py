"""The ``links`` command: admin processes in the service's own image (``links db upgrade``)."""

from snipkit.app import cli

from . import create_app

main = cli(create_app)
