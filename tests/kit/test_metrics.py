"""snipkit.metrics' /metrics: the exposition format's content type, as Prometheus expects it."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST

import snipkit


def test_metrics_names_its_content_type_once():
    response = snipkit.create_app("metrics-test", __name__, []).test_client().get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == CONTENT_TYPE_LATEST
    assert response.headers["Content-Type"].count("charset") == 1
