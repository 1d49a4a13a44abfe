"""Each page rendered by a real headless browser (Debian's chromium): the DOM it built
is checked for the key elements, and the screenshot is saved under pytest's tmp dir."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian package chromium)")
# Without the background-networking flags chromium keeps dialling Google on a closed network.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]


class Browser:
    def __init__(self, directory: Path):
        self.directory = directory

    def _run(self, name: str, *args: str) -> str:
        profile = self.directory / f"profile-{name}"
        command = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=90, check=True)
        return result.stdout

    def dom(self, url: str) -> str:
        """The page's DOM after the browser built it."""
        return self._run("dom", "--dump-dom", url)

    def screenshot(self, url: str, name: str, size: tuple[int, int] = (1280, 900)) -> Path:
        path = self.directory / f"{name}.png"
        self._run(name, f"--screenshot={path}", f"--window-size={size[0]},{size[1]}", url)
        return path


def png_facts(path: Path) -> tuple[int, int, int]:
    """(width, height, distinct byte values in the pixel data): a blank page has very few."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    pixels, offset = b"", 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        if kind == b"IDAT":
            pixels += data[offset + 8 : offset + 8 + length]
        offset += 12 + length
    return width, height, len(set(zlib.decompress(pixels)))


@pytest.fixture
def browser(tmp_path):
    return Browser(tmp_path)


@pytest.fixture
def site(serve, make_app, links_url, stats_double):
    """web served over HTTP with a link that has clicks spread over the last day."""
    link = requests.post(
        f"{links_url}/api/links", json={"url": "https://docs.example.org/guide/getting-started"}, timeout=5
    )
    code = link.json()["code"]
    now = datetime.now(UTC)
    for hours_ago, times in ((0, 5), (1, 9), (2, 4), (5, 12), (8, 3), (13, 7), (20, 2)):
        stats_double.click(code, at=now - timedelta(hours=hours_ago), times=times)
    return serve(make_app()), code


def check_png(path: Path, size: tuple[int, int]) -> None:
    width, height, distinct = png_facts(path)
    assert (width, height) == size
    assert distinct > 50, f"{path} looks blank"


def test_home_page_renders(browser, site):
    url, code = site
    dom = browser.dom(f"{url}/")
    assert '<label for="url">Long URL</label>' in dom and '<input id="url" name="url" type="url"' in dom
    assert '<button class="button button-primary" type="submit">Shorten</button>' in dom
    assert f'<a class="link-code" href="/links/{code}">{code}</a>' in dom and "42</strong> clicks" in dom
    check_png(browser.screenshot(f"{url}/", "home"), (1280, 900))
    check_png(browser.screenshot(f"{url}/", "home-phone", size=(390, 844)), (390, 844))


def test_link_page_renders_its_chart(browser, site):
    url, code = site
    dom = browser.dom(f"{url}/links/{code}")
    assert f'<title id="chart-title">Clicks on {code} over the last 24 hours</title>' in dom
    assert 'role="img" aria-labelledby="chart-title chart-desc"' in dom and dom.count("<rect ") == 24
    assert "42 in total" in dom and f"Yes, delete {code}" in dom
    # copy.js ran and found the Clipboard API (the page is served from 127.0.0.1): the button shows.
    assert re.search(r'<button class="button button-small" type="button" data-copy="[^"]+">Copy</button>', dom)
    # Tall enough to show the delete section below the chart.
    check_png(browser.screenshot(f"{url}/links/{code}", "link", size=(1280, 1400)), (1280, 1400))


def test_unavailable_page_renders(browser, serve, make_app, down_url, site):
    _, code = site
    url = serve(make_app(STATS_URL=down_url))
    dom = browser.dom(f"{url}/links/{code}")
    assert '<h1 id="error-heading">Temporarily unavailable</h1>' in dom and "<code>stats-api</code>" in dom
    check_png(browser.screenshot(f"{url}/links/{code}", "unavailable"), (1280, 900))
