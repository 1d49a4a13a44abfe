"""snip.css against WCAG 2.2's contrast minimums: focus rings 3:1 against what surrounds
them (non-text contrast, 1.4.11), text 4.5:1 against its background (1.4.3)."""

from __future__ import annotations

import re

import pytest

from snipdev import ROOT

CSS = (ROOT / "services" / "web" / "web" / "static" / "snip.css").read_text()
COLOURS = dict(re.findall(r"--([a-z-]+): (#[0-9a-f]{6}\b|#[0-9a-f]{3}\b)", CSS))


def luminance(colour: str) -> float:
    """Relative luminance of an sRGB colour ``#rrggbb`` or ``#rgb`` (WCAG's definition)."""
    digits = colour[1:] if len(colour) == 7 else "".join(d * 2 for d in colour[1:])
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("background", ["card", "page", "danger-soft"])
def test_the_focus_ring_stands_out_from_the_light_backgrounds(background):
    assert contrast(COLOURS["focus"], COLOURS[background]) >= 3


def test_the_focus_ring_on_the_header_stands_out_from_the_brand_colour():
    ring = re.search(r"\.site-header :focus-visible \{ outline-color: (#[0-9a-f]{3,6}); \}", CSS).group(1)
    assert contrast(ring, COLOURS["brand"]) >= 3


def test_the_expired_badge_is_readable():
    assert contrast(COLOURS["danger"], COLOURS["danger-soft"]) >= 4.5
