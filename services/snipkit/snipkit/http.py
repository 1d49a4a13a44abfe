"""Service-to-service HTTP: timeouts, retries with backoff for idempotent requests only,
and the caller's request id passed on in ``X-Request-ID``.

A POST is never retried: the first attempt may have succeeded, and repeating it could
create a second link. (``links`` accepts an ``Idempotency-Key`` for callers that need
to retry a POST safely.)
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .errors import DependencyUnavailable
from .requestid import HEADER, current

log = logging.getLogger("snipkit.http")

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


class ServiceClient:
    """Calls one named service at ``base_url``; failures to reach it raise a 503 naming it."""

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        timeout: tuple[float, float] = (1.0, 3.0),
        retries: int = 2,
        backoff: float = 0.1,
    ):
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        retry = Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            allowed_methods=IDEMPOTENT,
            status_forcelist=(502, 503, 504),
            backoff_factor=backoff,
            raise_on_status=False,
            respect_retry_after_header=False,
        )
        self.session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=16)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send a request; the response is returned whatever its status, unless the
        service could not be reached at all."""
        headers = dict(kwargs.pop("headers", None) or {})
        rid = current()
        if rid:
            headers.setdefault(HEADER, rid)
        kwargs.setdefault("timeout", self.timeout)
        try:
            return self.session.request(method, self.base_url + path, headers=headers, **kwargs)
        except requests.RequestException as exc:
            log.warning("%s unreachable: %s %s: %s", self.name, method, path, type(exc).__name__)
            raise DependencyUnavailable(self.name, "did not answer") from exc

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)
