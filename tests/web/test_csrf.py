"""Every form POST needs a token signed for the visitor's own session."""

from __future__ import annotations

import uuid

import requests

from web import csrf


def new_url() -> str:
    return f"https://csrf.example/{uuid.uuid4().hex}"


def listed(links_url: str, url: str) -> bool:
    items = requests.get(f"{links_url}/api/links", params={"limit": 100}, timeout=5).json()["items"]
    return url in {link["url"] for link in items}


def assert_refused(response) -> None:
    assert response.status_code == 400 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<h1 id="error-heading">Your form expired</h1>' in page and "Reload the page" in page


def test_a_form_without_a_token_is_refused(client, links_url):
    url = new_url()
    assert_refused(client.post("/links", data={"url": url}))
    assert not listed(links_url, url)


def test_a_tampered_token_is_refused(client, token, links_url):
    url, good = new_url(), token(client)
    assert_refused(client.post("/links", data={"csrf_token": good[:-2] + "xx", "url": url}))
    assert not listed(links_url, url)


def test_a_token_from_another_session_is_refused(app, token, links_url):
    # An attacker can get a valid token for their own session; it must not work in the victim's.
    attacker, victim = app.test_client(), app.test_client()
    victim.get("/")
    url = new_url()
    assert_refused(victim.post("/links", data={"csrf_token": token(attacker), "url": url}))
    assert not listed(links_url, url)


def test_a_token_signed_with_another_key_is_refused(make_app, token):
    other = make_app(SECRET_KEY="another-secret-key-just-as-long-0123456789").test_client()
    client = make_app().test_client()
    client.get("/")
    with client.session_transaction() as session, other.session_transaction() as other_session:
        other_session["csrf"] = session["csrf"]
    assert_refused(client.post("/links", data={"csrf_token": token(other), "url": new_url()}))


def test_an_expired_token_is_refused(client, token, monkeypatch):
    issued = token(client)
    monkeypatch.setattr(csrf, "MAX_AGE_S", -1)
    assert_refused(client.post("/links", data={"csrf_token": issued, "url": new_url()}))


def test_delete_needs_a_token_too(client, links_url):
    code = requests.post(f"{links_url}/api/links", json={"url": new_url()}, timeout=5).json()["code"]
    assert_refused(client.post(f"/links/{code}/delete"))
    assert requests.get(f"{links_url}/api/links/{code}", timeout=5).status_code == 200


def test_a_token_works_only_for_the_form_it_was_made_for(client, token, links_url):
    mine, theirs = (
        requests.post(f"{links_url}/api/links", json={"url": new_url()}, timeout=5).json()["code"] for _ in range(2)
    )
    # The delete form of one link, replayed at another link's address.
    assert_refused(client.post(f"/links/{theirs}/delete", data={"csrf_token": token(client, f"/links/{mine}")}))
    assert_refused(client.post("/links", data={"csrf_token": token(client, f"/links/{mine}"), "url": new_url()}))
    assert requests.get(f"{links_url}/api/links/{theirs}", timeout=5).status_code == 200


def test_a_valid_token_is_accepted(client, token, links_url):
    url = new_url()
    assert client.post("/links", data={"csrf_token": token(client), "url": url}).status_code == 303
    assert listed(links_url, url)
