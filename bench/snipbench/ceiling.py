"""The ceiling: a bare Flask app returning a small JSON body, run under the very same
gunicorn config as the services (``snipkit.gunicorn_conf``). Nothing of the kit is in
the request path, so its req/s is what the stack leaves for a service's own code."""

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/")
def hello():
    return jsonify(message="hello", ok=True)


@app.get("/readyz")
def readyz():
    # The harness waits for /readyz, as it does for every service.
    return jsonify(status="ready")
