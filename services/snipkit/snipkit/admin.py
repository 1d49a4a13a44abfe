"""What every admin command shares: a failure is one JSON log line and exit status 1.

Admin commands (``links purge``, ``stats seed-demo``...) run unattended in Jobs and
CronJobs, where a stack trace is noise and the exit status is what Kubernetes acts on
(retry, alert). ``reported`` turns the failures an admin command can meet at run time,
a database or Redis that is down or refuses, into that one line.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2

from .cache import REDIS_ERRORS
from .errors import DependencyUnavailable, first_line

log = logging.getLogger("snipkit.admin")

#: Failures of the backing services, as opposed to bugs, which keep their stack trace.
BACKING_ERRORS = (psycopg2.Error, DependencyUnavailable, *REDIS_ERRORS)


@contextmanager
def reported(task: str) -> Iterator[None]:
    """Run the body; if a backing service fails, log ``<task> failed: <reason>`` and exit 1."""
    try:
        yield
    except BACKING_ERRORS as exc:
        log.error("%s failed: %s", task, first_line(exc), extra={"task": task})
        sys.exit(1)
