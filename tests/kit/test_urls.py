"""snipkit.urls.location: what a redirect sends, and the URLs it refuses (the very check
links makes when a link is created)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from snipkit import urls


@pytest.mark.parametrize(
    ("url", "sent"),
    [
        ("https://example.com/a?b=c#d", "https://example.com/a?b=c#d"),
        ("https://straße.example/ü?q=ü", "https://strasse.example/%C3%BC?q=%C3%BC"),
        ("https://例え.テスト/パス", "https://xn--r8jz45g.xn--zckzah/%E3%83%91%E3%82%B9"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("https://Example.COM./", "https://example.com./"),
        ("https://user@example.com:443/", "https://user@example.com:443/"),
    ],
)
def test_a_url_is_sent_as_ascii(url, sent):
    assert urls.location(url) == sent


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com:65536/",
        "https://example.com:abc/",
        "https://example.com:0/",
        "https://a..b/",
        "https://" + "a" * 64 + ".example/",
        "https://" + ".".join(["a" * 60] * 5) + "/",  # 304 characters: over 253
        "https://a\u0080b.example/",
        "https://a\u007fb.example/",
        "https://a*b.example/",
        "https://exa mple.com/",
        "https://example.com/\u2028",
        "https://example.com/\x00",
        "https://[zz::1]/",
        "https://[::1/",
        "ftp://example.com/",
        "https:///path-only",
    ],
)
def test_a_url_no_redirect_could_carry_is_refused(url):
    with pytest.raises(ValueError):
        urls.location(url)


def test_one_site_whatever_its_spelling():
    assert urls.same_site("https://SNIP.example./r/x", "https://snip.example")
    assert urls.same_site("http://snip.example/", "https://snip.example:443"), "http and https of one site"
    assert urls.same_site("http://127.0.0.1:8002/r/x", "http://127.0.0.1:8002")
    assert not urls.same_site("http://127.0.0.1:8000/", "http://127.0.0.1:8002"), "another server on the host"
    assert not urls.same_site("https://docs.snip.example/", "https://snip.example")


@given(data=st.data())
def test_whatever_is_accepted_fits_a_header(hostile, data):
    url = data.draw(st.one_of(hostile.url, hostile.text.map("https://example.com/".__add__)))
    try:
        sent = urls.location(url)
    except ValueError:
        return
    assert sent.isascii() and sent.isprintable() and " " not in sent
