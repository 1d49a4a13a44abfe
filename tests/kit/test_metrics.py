"""snipkit.metrics' /metrics: the exposition format's content type, as Prometheus expects
it, and every label value from a fixed set, whatever clients send."""

from __future__ import annotations

import secrets

from prometheus_client import CONTENT_TYPE_LATEST

import snipkit


def test_metrics_names_its_content_type_once():
    response = snipkit.create_app("metrics-test", __name__, []).test_client().get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == CONTENT_TYPE_LATEST
    assert response.headers["Content-Type"].count("charset") == 1


def series(client) -> set[str]:
    body = client.get("/metrics").get_data(as_text=True)
    return {line.split(" ")[0] for line in body.splitlines() if line.startswith("http_requests_total{")}


def test_made_up_methods_and_paths_add_no_series():
    client = snipkit.create_app("metrics-test", __name__, []).test_client()
    # One of each kind first: its series exists from then on.
    client.get("/livez")
    client.open("/livez", method="BREW")
    client.open("/no-such-page", method="BREW")
    series(client)  # and a scrape, which is counted once it has answered
    before = series(client)
    for _ in range(50):
        client.open(f"/{secrets.token_hex(4)}", method=secrets.token_hex(3).upper())
        client.open("/livez", method=secrets.token_hex(3).upper())
    assert series(client) == before
    assert any('method="<other>",route="<unmatched>",service="metrics-test",status="405"' in name for name in before)
