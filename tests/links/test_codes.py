"""links.codes: generated codes hold no characters people mistake for one another."""

from __future__ import annotations

from links import codes


def test_generated_codes_are_valid_and_free_of_look_alikes():
    generated = [codes.generate() for _ in range(2000)]
    assert all(len(code) == codes.GENERATED_LENGTH and codes.is_valid(code) for code in generated)
    assert not set("".join(generated)) & set("0Oo1lI")
