"""The pages, against the real links API and the stats double."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import requests


def unique_code() -> str:
    return "t" + uuid.uuid4().hex[:10]


def create_via_api(links_url: str, **body) -> dict:
    response = requests.post(f"{links_url}/api/links", json=body, timeout=5)
    assert response.status_code == 201, response.text
    return response.json()


def test_home_lists_recent_links_with_their_click_counts(client, links_url, stats_double):
    clicked = create_via_api(links_url, url="https://clicked.example/page", code=unique_code())
    quiet = create_via_api(links_url, url="https://quiet.example", code=unique_code())
    stats_double.click(clicked["code"], times=3)
    page = client.get("/").get_data(as_text=True)
    assert '<label for="url">Long URL</label>' in page
    for link, count in ((clicked, "3</strong> clicks"), (quiet, "0</strong> clicks")):
        row = re.search(rf'<a class="link-code" href="/links/{link["code"]}">.*?</li>', page, re.S)
        assert row and link["url"] in row.group(0) and count in row.group(0)


def row_of(page: str, code: str, prefix: str = "") -> str:
    row = re.search(rf'<a class="link-code" href="{prefix}/links/{code}">.*?</li>', page, re.S)
    assert row, f"no row for {code} under {prefix or '/'}"
    return row.group(0)


def test_a_row_shows_the_count_of_the_moment_not_the_one_it_was_first_drawn_with(uncached, links_url, stats_double):
    client = uncached
    code = create_via_api(links_url, url="https://counted.example", code=unique_code())["code"]
    stats_double.click(code, times=1)
    assert re.search(r"1</strong> click\b(?!s)", row_of(client.get("/").get_data(as_text=True), code))
    stats_double.click(code, times=2)
    assert "3</strong> clicks" in row_of(client.get("/").get_data(as_text=True), code)


def test_rows_link_under_the_path_web_is_mounted_at(client, links_url):
    code = create_via_api(links_url, url="https://mounted.example", code=unique_code())["code"]
    row_of(client.get("/").get_data(as_text=True), code)
    mounted = client.get("/", base_url="http://localhost/snip").get_data(as_text=True)
    assert "https://mounted.example" in row_of(mounted, code, prefix="/snip")


def test_shortening_through_the_form_lands_on_the_new_links_page(client, token, links_url):
    code = unique_code()
    response = client.post("/links", data={"csrf_token": token(client), "url": "https://form.example/x", "code": code})
    assert response.status_code == 303 and response.headers["Location"] == f"/links/{code}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Your short link https://snip.test/r/{code} is ready." in page
    assert requests.get(f"{links_url}/api/links/{code}", timeout=5).json()["url"] == "https://form.example/x"


def test_links_validation_messages_are_shown_next_to_their_fields(client, token):
    response = client.post("/links", data={"csrf_token": token(client), "url": "ftp://files.example", "code": "no"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="url-error">Must start with http:// or https://</p>' in page
    assert 'id="code-error">Must be 3-32 characters' in page
    assert 'aria-invalid="true" aria-describedby="url-error"' in page
    assert 'value="ftp://files.example"' in page, "what was typed is kept"
    assert 'role="alert"' in page and '<a href="#url">Long URL: must start with' in page


def test_a_taken_code_is_reported_on_the_code_field(client, token, links_url):
    taken = create_via_api(links_url, url="https://first.example", code=unique_code())["code"]
    response = client.post("/links", data={"csrf_token": token(client), "url": "https://second.example", "code": taken})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="code-error">That code is already taken: choose another</p>' in page
    assert '<a href="#code">Custom code: that code is already taken: choose another</a>' in page


def test_a_form_submitted_twice_creates_one_link(client, token, links_url):
    form = {"csrf_token": token(client), "url": f"https://twice.example/{uuid.uuid4().hex}"}
    first, second = client.post("/links", data=form), client.post("/links", data=form)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    listed = requests.get(f"{links_url}/api/links", params={"limit": 100}, timeout=5).json()["items"]
    assert [link["url"] for link in listed].count(form["url"]) == 1


def test_expiry_from_the_form_is_sent_as_utc(client, token, links_url):
    code, when = unique_code(), (datetime.now(UTC) + timedelta(days=3)).replace(second=0, microsecond=0)
    typed = when.strftime("%Y-%m-%dT%H:%M")  # what <input type="datetime-local"> sends
    form = {"csrf_token": token(client), "url": "https://e.example", "code": code, "expires_at": typed}
    assert client.post("/links", data=form).status_code == 303
    stored = requests.get(f"{links_url}/api/links/{code}", timeout=5).json()["expires_at"]
    assert stored == typed + ":00Z"


def test_link_page_shows_totals_and_an_accessible_chart(client, links_url, stats_double):
    code = create_via_api(links_url, url="https://chart.example", code=unique_code())["code"]
    stats_double.click(code, times=4)
    stats_double.click(code, at=datetime.now(UTC) - timedelta(hours=3), times=2)
    stats_double.click(code, at=datetime.now(UTC) - timedelta(days=3))
    page = client.get(f"/links/{code}").get_data(as_text=True)
    assert '<dd class="stat-number stat-total">7</dd>' in page
    assert f'<title id="chart-title">Clicks on {code} over the last 24 hours</title>' in page
    assert "in UTC: 6 in total." in page and 'role="img"' in page and "Time (UTC), per hour" in page
    assert page.count("<rect ") == 24
    hour = client.get(f"/links/{code}?range=hour").get_data(as_text=True)
    assert hour.count("<rect ") == 60 and "in UTC: 4 in total." in hour
    assert client.get(f"/links/{code}?range=year").status_code == 404


def test_an_expired_link_says_so_on_the_home_page_and_its_own(uncached, links_url, admin_db):
    client = uncached
    expired = create_via_api(links_url, url="https://old.example/offer", code=unique_code())["code"]
    current = create_via_api(links_url, url="https://new.example/offer", code=unique_code())["code"]
    with admin_db.cursor() as cur:  # links refuses a past expiry; the demo data is written this way
        # Seen once before it expires: the row drawn then must not be shown again.
        assert "badge-expired" not in row_of(client.get("/").get_data(as_text=True), expired)
        cur.execute("UPDATE links.links SET expires_at = now() - interval '1 day' WHERE code = %s", (expired,))
    home = client.get("/").get_data(as_text=True)
    rows = {code: re.search(rf'href="/links/{code}">.*?</li>', home, re.S).group(0) for code in (expired, current)}
    assert '<span class="badge badge-expired">expired</span>' in rows[expired]
    assert "badge-expired" not in rows[current]
    page = client.get(f"/links/{expired}").get_data(as_text=True)
    assert "<dt>Expired</dt>" in page and '<span class="badge badge-expired">expired</span></dd>' in page


def test_a_links_page_offers_to_copy_the_short_link(client, links_url):
    link = create_via_api(links_url, url="https://copy.example", code=unique_code())
    page = client.get(f"/links/{link['code']}").get_data(as_text=True)
    assert f'data-copy="{link["short_url"]}" hidden>Copy</button>' in page
    script = re.search(r'<script src="(/static/copy\.js)" defer></script>', page).group(1)
    served = client.get(script)
    try:
        assert served.status_code == 200 and "navigator.clipboard.writeText" in served.get_data(as_text=True)
    finally:
        served.close()  # a static file is streamed from disk


def test_unknown_link_is_a_404_page(client):
    response = client.get("/links/nothing-here")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert '<h1 id="error-heading">Page not found</h1>' in response.get_data(as_text=True)
    assert client.get("/no/such/page").status_code == 404


def test_delete_asks_for_confirmation_then_removes_the_link(client, token, links_url):
    code = create_via_api(links_url, url="https://doomed.example", code=unique_code())["code"]
    page = client.get(f"/links/{code}").get_data(as_text=True)
    assert '<details class="confirm">' in page and f'action="/links/{code}/delete"' in page
    # The link's page open in two tabs: the second tab's form is sent after the first's.
    first_tab, second_tab = token(client, f"/links/{code}"), token(client, f"/links/{code}")
    response = client.post(f"/links/{code}/delete", data={"csrf_token": first_tab})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert f"The short link {code} was deleted." in client.get("/").get_data(as_text=True)
    assert requests.get(f"{links_url}/api/links/{code}", timeout=5).status_code == 404
    again = client.post(f"/links/{code}/delete", data={"csrf_token": second_tab})
    assert again.status_code == 303
    assert f"The short link {code} had already been deleted." in client.get("/").get_data(as_text=True)


def test_a_form_sent_again_with_other_values_is_reset_not_an_outage(client, token, links_url):
    # The browser's Back button shows the used form again, with its token and key.
    used = token(client)
    assert client.post("/links", data={"csrf_token": used, "url": "https://first.example"}).status_code == 303
    again = client.post("/links", data={"csrf_token": used, "url": "https://other.example"})
    assert again.status_code == 422
    assert "<li>This form was already used for another link; it has been reset: send it again</li>" in again.text
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', again.text).group(1)
    assert client.post("/links", data={"csrf_token": fresh, "url": "https://other.example"}).status_code == 303


def test_a_form_sent_again_after_its_link_was_deleted_is_reset_not_an_outage(client, token, links_url):
    used = token(client)
    made = client.post("/links", data={"csrf_token": used, "url": "https://short-lived.example"})
    code = made.headers["Location"].rsplit("/", 1)[1]
    assert requests.delete(f"{links_url}/api/links/{code}", timeout=5).status_code == 204
    again = client.post("/links", data={"csrf_token": used, "url": "https://short-lived.example"})
    assert again.status_code == 422
    assert "<li>This form made a link that has been deleted since; it has been reset: send it again</li>" in again.text


def test_a_form_links_finds_too_large_is_a_message_not_an_outage(client, token):
    # 5,000 control characters: 15,000 bytes in the form, 30,000 once JSON-escaped for links.
    response = client.post("/links", data={"csrf_token": token(client), "url": "\x01" * 5000})
    assert response.status_code == 422
    assert "<li>The form holds more than links accepts: shorten the URL</li>" in response.text


def test_a_made_up_page_of_links_is_the_visitors_400_not_an_outage(client):
    response = client.get("/?cursor=not-a-cursor")
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert '<h1 id="error-heading">This request could not be accepted</h1>' in response.text


def test_older_links_are_one_click_away(client, links_url):
    oldest = create_via_api(links_url, url="https://oldest.example", code=unique_code())["code"]
    for _ in range(20):
        create_via_api(links_url, url="https://newer.example")
    first = client.get("/").text
    assert f">{oldest}</a>" not in first
    older = re.search(r'<a href="(/\?cursor=[^"]+)">Older links →</a>', first).group(1)
    assert f">{oldest}</a>" in client.get(older).text
