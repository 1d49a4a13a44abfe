"""Where a short link may send people: one function, used by links when a link is made
and by redirect when it answers, so that a link accepted is a link that can be served.

A ``Location`` header holds ASCII only, so redirect sends a URL with its host in IDNA
("punycode") and everything else percent-quoted (Werkzeug's ``iri_to_uri``). A URL that
conversion cannot handle (port 65536, an empty or 64-character host label, a control
character in the host) would fail at every redirect; it is refused when the link is made.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import urlsplit

from werkzeug.urls import iri_to_uri

# A host name's labels once in IDNA: letters, digits, '-' and, as browsers accept it, '_'.
_LABEL = re.compile(r"[A-Za-z0-9_-]{1,63}")
_MAX_HOST = 253
# What a header value may hold: visible ASCII, no space.
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")


def location(url: str) -> str:
    """``url`` as redirect sends it in a ``Location`` header; ValueError says what is wrong."""
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cs") for ch in url):
        raise ValueError("must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValueError("is not a valid URL: check the host and the port") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError("must start with http:// or https://")
    if not parts.hostname:
        raise ValueError("must name a host")
    if port == 0:
        raise ValueError("has port 0, which no server listens on")
    _check_host(parts.hostname)
    try:
        converted = iri_to_uri(url)
    except (ValueError, UnicodeError):
        raise ValueError("has a host that is not a valid name") from None
    if not _HEADER_SAFE.fullmatch(converted):
        raise ValueError("cannot be sent in a redirect")
    return converted


def same_site(url: str, other: str) -> bool:
    """Whether two URLs that :func:`location` accepts name one server: the same host
    (in IDNA, any case, with or without its final dot) on the same port, http's and
    https's default ports counting as one, since one site usually answers on both."""
    (host, port), (other_host, other_port) = _site(url), _site(other)
    return host == other_host and (port == other_port or {port, other_port} <= {80, 443})


def _site(url: str) -> tuple[str, int]:
    parts = urlsplit(location(url))
    return (parts.hostname or "").rstrip("."), parts.port or (443 if parts.scheme == "https" else 80)


def _check_host(hostname: str) -> None:
    if ":" in hostname:
        try:
            ipaddress.IPv6Address(hostname)
        except ValueError:
            raise ValueError("has an IPv6 address that is not valid") from None
        return
    try:
        ascii_host = hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError("has a host that is not a valid name (an empty label, or one over 63 characters)") from None
    labels = ascii_host.removesuffix(".").split(".")
    if len(ascii_host) > _MAX_HOST or not all(_LABEL.fullmatch(label) for label in labels):
        raise ValueError("has a host that is not a valid name")
