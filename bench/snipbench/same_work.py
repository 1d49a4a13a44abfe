"""The same-work ceiling: a bare Flask route that makes the very Redis call redirect
makes on a warm cache hit, under the same gunicorn config as the services.

The call is redirect's own (:func:`redirect.lookup.resolve`, which reads the cached
link and appends the click in one Lua call), imported rather than copied: when
redirect's cache logic changes (its script, its keys, what a click carries), this
ceiling changes with it. What redirect spends beyond this route is the suite's own
overhead on its hot path: the kit's hooks (request id, metrics, access log, errors)
and the route's code. The bench warms the cache first; a miss here would need
PostgreSQL, which this app does not open, and would show as errors.
"""

from flask import Flask, Response, jsonify

from redirect import SETTINGS, clicks, lookup
from snipkit import cache, config

app = Flask(__name__)
# redirect's settings, from the same environment redirect gets: the cache's key prefix,
# timeouts and the stream's bound are redirect's own.
app.config.update(config.load(SETTINGS))
cache.init_app(app, required=False)


@app.get("/r/<code>")
def follow(code: str):
    # A click id per request, as redirect's route makes one: it travels in the Lua call.
    outcome = lookup.resolve(code, clicks.new_id())
    return Response(status=302, headers={"Location": outcome.url})


@app.get("/readyz")
def readyz():
    # The harness waits for /readyz, as it does for every service.
    return jsonify(status="ready")
