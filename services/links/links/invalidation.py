"""Deleting links so that no redirect serves them afterwards (see snipkit.linkcache):
what the API's DELETE and ``links purge`` run inside their transaction, before it commits."""

from __future__ import annotations

from snipkit import DependencyUnavailable, cache, linkcache


def forget(codes: list[str]) -> None:
    """Tombstone ``codes`` and drop their cache entries; if Redis cannot be told, raise a
    503 naming it, which rolls the deletion back: a link redirect may still serve from
    its cache is a link not deleted."""
    try:
        linkcache.forget(cache.client(), codes)
    except cache.REDIS_ERRORS as exc:
        raise DependencyUnavailable(
            "redis", "the redirect cache could not be told, so nothing was deleted; try again"
        ) from exc
