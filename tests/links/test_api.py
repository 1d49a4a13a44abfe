"""The links REST API against real PostgreSQL and Redis."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from snipkit import keys


def create(client, **body):
    return client.post("/api/links", json=body)


def test_create_returns_the_link_with_a_generated_code(client):
    response = create(client, url="https://example.com/page?q=1")
    assert response.status_code == 201
    body = response.get_json()
    assert len(body["code"]) == 7 and body["code"].isalnum()
    assert body["url"] == "https://example.com/page?q=1"
    assert body["short_url"] == f"https://snip.test/r/{body['code']}"
    assert body["created_at"].endswith("Z") and body["expires_at"] is None
    assert response.headers["Location"] == f"/api/links/{body['code']}"


def test_custom_code_and_expiry_are_kept(client):
    response = create(client, url="https://example.com", code="my_Code-1", expires_at="2999-01-01T00:00:00+02:00")
    assert response.status_code == 201
    assert response.get_json()["code"] == "my_Code-1"
    assert response.get_json()["expires_at"] == "2998-12-31T22:00:00Z"


def test_taken_code_is_409(client):
    assert create(client, url="https://a.example", code="taken").status_code == 201
    response = create(client, url="https://b.example", code="taken")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "code_taken"
    assert client.get("/api/links/taken").get_json()["url"] == "https://a.example"


def test_every_invalid_field_is_named(client):
    response = create(client, url="ftp://x", code="no", expires_at="yesterday", colour="red")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert set(error["fields"]) == {"url", "code", "expires_at", "colour"}


def test_url_limits(client):
    assert create(client, url="https://e.example/" + "a" * 2020).status_code == 201
    assert create(client, url="https://e.example/" + "a" * 2040).status_code == 422
    assert create(client, url="https://").status_code == 422
    assert create(client, url="https://e.example/a b").status_code == 422
    assert create(client, url=12).status_code == 422


def test_expiry_must_be_future_and_zoned(client):
    assert create(client, url="https://e.example", expires_at="2001-01-01T00:00:00Z").status_code == 422
    assert create(client, url="https://e.example", expires_at="2999-01-01T00:00:00").status_code == 422


def test_body_must_be_a_json_object(client):
    response = client.post("/api/links", data="url=https://x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    response = client.post("/api/links", data="{not json", content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "malformed_json"
    response = client.post("/api/links", json=["https://x"])
    assert response.status_code == 400


def test_body_over_16_kib_is_413(client):
    response = client.post("/api/links", data='{"url": "' + "a" * 17000 + '"}', content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "request_entity_too_large"


def test_read_and_delete(client, redis_client, sandbox):
    code = create(client, url="https://e.example").get_json()["code"]
    assert client.get(f"/api/links/{code}").status_code == 200
    cache_key = keys.link(code, sandbox.key_prefix)
    redis_client.set(cache_key, '{"url": "https://e.example"}')
    assert client.delete(f"/api/links/{code}").status_code == 204
    assert redis_client.exists(cache_key) == 0, "deleting a link must drop its redirect cache entry"
    assert client.get(f"/api/links/{code}").status_code == 404
    assert client.delete(f"/api/links/{code}").status_code == 404


def test_list_pages_newest_first_with_a_cursor(client):
    made = [create(client, url=f"https://e.example/{i}").get_json()["code"] for i in range(5)]
    first = client.get("/api/links?limit=2").get_json()
    assert [item["code"] for item in first["items"]] == made[::-1][:2]
    second = client.get(f"/api/links?limit=2&cursor={first['next_cursor']}").get_json()
    third = client.get(f"/api/links?limit=2&cursor={second['next_cursor']}").get_json()
    assert [i["code"] for i in second["items"] + third["items"]] == made[::-1][2:]
    assert third["next_cursor"] is None


def test_list_is_newest_first_by_creation_time_across_pages(client, admin_db):
    made = [create(client, url=f"https://e.example/{i}").get_json()["code"] for i in range(4)]
    # Back-date the two made last, as the demo data is: they belong at the end of the list.
    with admin_db.cursor() as cur:
        cur.execute("UPDATE links.links SET created_at = now() - interval '3 days' WHERE code = %s", (made[2],))
        cur.execute("UPDATE links.links SET created_at = now() - interval '5 days' WHERE code = %s", (made[3],))
    first = client.get("/api/links?limit=3").get_json()
    rest = client.get(f"/api/links?limit=3&cursor={first['next_cursor']}").get_json()
    assert [item["code"] for item in first["items"] + rest["items"]] == [made[1], made[0], made[2], made[3]]
    assert rest["next_cursor"] is None


def test_list_rejects_bad_limit_and_cursor(client):
    for query in ("limit=0", "limit=101", "limit=abc", "limit=-1", "cursor=%%%", "cursor=bm90LWEtbnVtYmVy"):
        response = client.get(f"/api/links?{query}")
        assert response.status_code == 400, query
        assert response.get_json()["error"]["code"] in {"invalid_limit", "invalid_cursor"}


def test_idempotency_key_replays_the_first_response(client):
    headers = {"Idempotency-Key": "order-42"}
    first = client.post("/api/links", json={"url": "https://e.example"}, headers=headers)
    again = client.post("/api/links", json={"url": "https://e.example"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert len(client.get("/api/links").get_json()["items"]) == 1


def test_idempotency_key_with_another_body_is_refused(client):
    headers = {"Idempotency-Key": "k1"}
    assert client.post("/api/links", json={"url": "https://a.example"}, headers=headers).status_code == 201
    response = client.post("/api/links", json={"url": "https://b.example"}, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "idempotency_key_reused"


def test_concurrent_retries_with_one_key_create_one_link(app):
    start = threading.Barrier(6)

    def post(_):
        start.wait()
        with app.test_client() as c:
            return c.post("/api/links", json={"url": "https://e.example"}, headers={"Idempotency-Key": "race"})

    with ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(post, range(6)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.get_json()["code"] for r in responses}) == 1
    assert len(app.test_client().get("/api/links").get_json()["items"]) == 1


def test_refusal_is_replayed_too(client):
    create(client, url="https://a.example", code="dup")
    headers = {"Idempotency-Key": "k2"}
    first = client.post("/api/links", json={"url": "https://b.example", "code": "dup"}, headers=headers)
    client.delete("/api/links/dup")
    again = client.post("/api/links", json={"url": "https://b.example", "code": "dup"}, headers=headers)
    assert first.status_code == again.status_code == 409


def test_unknown_routes_and_methods_answer_json(client):
    response = client.get("/nope")
    assert response.status_code == 404 and response.is_json
    response = client.put("/api/links")
    assert response.status_code == 405 and response.is_json
    assert "POST" in response.headers["Allow"]


def test_a_replay_after_the_link_was_deleted_is_410_not_201(client):
    headers = {"Idempotency-Key": "made-then-deleted"}
    code = client.post("/api/links", json={"url": "https://e.example"}, headers=headers).get_json()["code"]
    assert client.delete(f"/api/links/{code}").status_code == 204
    again = client.post("/api/links", json={"url": "https://e.example"}, headers=headers)
    assert again.status_code == 410
    assert again.get_json()["error"]["code"] == "link_deleted" and code in again.get_json()["error"]["message"]
    assert client.get(f"/api/links/{code}").status_code == 404


def test_a_code_with_a_trailing_newline_is_refused_not_a_500(client):
    # "$" matches before a final newline: the code reached the database's CHECK.
    response = create(client, url="https://e.example", code="abc12\n")
    assert response.status_code == 422 and set(response.get_json()["error"]["fields"]) == {"code"}
    for method in ("get", "delete"):
        assert getattr(client, method)("/api/links/abc12%0A").status_code == 404
        assert getattr(client, method)("/api/links/ab%00c").status_code == 404, "NUL cannot reach PostgreSQL"


def test_a_body_that_cannot_be_stored_is_a_400(client):
    for raw in ('{"url": "https://e.example/\\ud800"}', '{"url": ' + "[" * 2000 + "]" * 2000 + "}"):
        response = client.post("/api/links", data=raw, content_type="application/json")
        assert response.status_code == 400, raw[:40]
        assert response.get_json()["error"]["code"] == "malformed_json"


def test_an_expiry_past_the_year_9999_in_utc_is_a_422(client):
    response = create(client, url="https://e.example", expires_at="9999-12-31T23:59:59-05:00")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"expires_at": "must fall within the years 1 to 9999 in UTC"}
    assert create(client, url="https://e.example", expires_at="9999-12-31T23:59:59+05:00").status_code == 201


def test_digits_other_than_ascii_are_not_a_number(client):
    for limit in ("%C2%B2", "%D9%A3", "%EF%BC%95"):  # superscript two, Arabic-Indic three, fullwidth five
        response = client.get(f"/api/links?limit={limit}")
        assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_limit", limit


def test_an_empty_cursor_is_the_first_page(client):
    code = create(client, url="https://e.example").get_json()["code"]
    response = client.get("/api/links?cursor=")
    assert response.status_code == 200 and [item["code"] for item in response.get_json()["items"]] == [code]


def test_an_idempotency_key_must_be_printable_ascii(client):
    for key in ("a\x00b", "tab\there", "é"):
        response = client.post("/api/links", json={"url": "https://e.example"}, headers={"Idempotency-Key": key})
        assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_idempotency_key"


def test_urls_no_redirect_could_carry_are_refused(client):
    for url in (
        "https://example.com:65536/",
        "https://example.com:abc/",
        "https://example.com:0/",
        "https://a..b/",
        "https://" + "a" * 64 + ".example/",
        "https://a\u0080b.example/",
        "https://a\u007fb.example/",
        "https://[zz::1]/",
    ):
        response = create(client, url=url)
        assert response.status_code == 422 and set(response.get_json()["error"]["fields"]) == {"url"}, url
    for url in ("https://straße.example/ü", "https://[::1]:8080/x", "https://a-b_c.example.:443/"):
        assert create(client, url=url).status_code == 201, url


def test_a_link_back_to_the_shortener_is_refused(client):
    for url in ("https://snip.test/r/abc", "http://SNIP.test./", "https://snip.test:443/anything"):
        response = create(client, url=url)
        assert response.get_json()["error"]["fields"] == {"url": "must not point back at this link shortener"}, url
    for url in ("https://docs.snip.test/", "https://snip.test:8443/another-server"):
        assert create(client, url=url).status_code == 201, url
