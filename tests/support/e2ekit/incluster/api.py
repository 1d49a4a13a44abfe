"""The suite's APIs from inside the cluster, for the e2e tests' arrangements and checks:

    python - create N [TOKEN] < api.py     N new links; prints their codes
    python - totals CODE... < api.py       each code's total as stats-api reports it

Prints one JSON value. Runs in the suite's own image: the standard library only.
"""

import http.client
import json
import sys
import uuid


def call(host, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection = http.client.HTTPConnection(host, 8080, timeout=10)
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def create(n, token=None):
    codes = []
    for _ in range(int(n)):
        status, data = call(
            "links", "POST", "/api/links", {"url": f"https://example.org/e2e/{uuid.uuid4().hex}"}, token
        )
        if status != 201:
            raise SystemExit(f"POST /api/links answered {status}: {data[:300]!r}")
        codes.append(json.loads(data)["code"])
    return codes


def totals(*codes):
    found = {}
    for code in codes:
        status, data = call("stats-api", "GET", f"/api/stats/{code}")
        found[code] = json.loads(data).get("total", 0) if status == 200 else None
    return found


if __name__ == "__main__":
    print(json.dumps({"create": create, "totals": totals}[sys.argv[1]](*sys.argv[2:])))
