"""The headers every web response carries to keep the browser on the visitor's side.

web serves its own stylesheet and script files and nothing inline, so the policy allows
those and nothing else (an injected inline script would not run); no other site may
frame its pages (a framed delete button can be clicked for you), the browser may not
guess a type web did not declare, and the address of a page, which names a link's
code, is not sent to the sites its links point to.
"""

from __future__ import annotations

from flask import Flask

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    # For browsers that predate CSP's frame-ancestors.
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    @app.after_request
    def _protect(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
