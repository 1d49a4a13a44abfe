"""Service-to-service HTTP: timeouts, retries with backoff for idempotent requests only,
and the caller's request id passed on in ``X-Request-ID``.

A POST is never retried: the first attempt may have succeeded, and repeating it could
create a second link. (``links`` accepts an ``Idempotency-Key`` for callers that need
to retry a POST safely.)

Requests go through one urllib3 connection pool per service, kept alive between
requests. Not through ``requests``: its per-call work (merging session settings,
reading proxy variables from the environment, a cookie jar) cost more CPU than the
call itself, and a shared cookie jar or an egress proxy has no place between services.
"""

from __future__ import annotations

import json as jsonlib
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import urllib3
from urllib3.util.retry import Retry

from .errors import DependencyUnavailable
from .requestid import HEADER, current

log = logging.getLogger("snipkit.http")

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True)
class Response:
    """A service's answer, read in full: its status and body."""

    status_code: int
    content: bytes

    def json(self) -> Any:
        return jsonlib.loads(self.content)


class ServiceClient:
    """Calls one named service at ``base_url``; failures to reach it raise a 503 naming it.

    ``connections`` is how many connections are kept open for reuse: one per thread
    that may call at once (gunicorn's threads); more are opened when needed and closed
    after use.
    """

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        timeout: tuple[float, float] = (1.0, 3.0),
        retries: int = 2,
        backoff: float = 0.1,
        connections: int = 16,
    ):
        self.name = name
        self.base_url = base_url.rstrip("/")
        self._prefix = urlsplit(self.base_url).path
        self.retry = Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            allowed_methods=IDEMPOTENT,
            status_forcelist=(502, 503, 504),
            backoff_factor=backoff,
            raise_on_status=False,
            respect_retry_after_header=False,
            redirect=False,
        )
        self.timeout = urllib3.Timeout(connect=timeout[0], read=timeout[1])
        self.pool = urllib3.connection_from_url(self.base_url, maxsize=connections)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """Send a request; the response is returned whatever its status, unless the
        service could not be reached at all."""
        headers = dict(headers or {})
        rid = current()
        if rid:
            headers.setdefault(HEADER, rid)
        body = None
        if json is not None:
            body = jsonlib.dumps(json).encode()
            headers["Content-Type"] = "application/json"
        target = self._prefix + path + (f"?{urlencode(params)}" if params else "")
        try:
            reply = self.pool.urlopen(
                method, target, body=body, headers=headers, retries=self.retry, timeout=self.timeout, redirect=False
            )
        except urllib3.exceptions.HTTPError as exc:
            log.warning("%s unreachable: %s %s: %s", self.name, method, path, type(exc).__name__)
            raise DependencyUnavailable(self.name, "did not answer") from exc
        return Response(reply.status, reply.data)

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Response:
        return self.request("POST", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Response:
        return self.request("DELETE", path, **kwargs)
