"""The click path, from inside the cluster, through the Services:

    python - CLICKS < smoke.py

Every HTTP service ready; a link created through links; followed CLICKS times through
redirect (each a 302 to the link's URL); counted exactly CLICKS times by stats-worker, as
stats-api reports; listed on web's home page. Prints one JSON object: what it saw.
Runs in the suite's own image: the standard library only.
"""

import http.client
import json
import sys
import time
import uuid

PORT = 8080
SERVICES = ("web", "links", "redirect", "stats-api")


def request(host, method, path, body=None):
    connection = http.client.HTTPConnection(host, PORT, timeout=10)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, response.getheader("Location"), data


def poll(seconds, read, done):
    """``read()`` every half second until ``done`` says yes of its value or ``seconds``
    have passed; its last value."""
    deadline = time.monotonic() + seconds
    while True:
        value = read()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.5)


def counted(code):
    status, _, body = request("stats-api", "GET", f"/api/stats/{code}")
    return json.loads(body).get("total") if status == 200 else None


def listed_by_web(code):
    status, _, body = request("web", "GET", "/")
    return status == 200 and code.encode() in body


def main(clicks):
    result = {"ready": {}}
    for service in SERVICES:
        result["ready"][service] = request(service, "GET", "/readyz")[0]
    url = f"https://example.org/e2e/{uuid.uuid4().hex}"
    status, _, body = request("links", "POST", "/api/links", {"url": url})
    if status != 201:
        raise SystemExit(f"POST /api/links answered {status}: {body[:300]!r}")
    code = json.loads(body)["code"]
    result["code"] = code
    redirects = [request("redirect", "GET", f"/r/{code}")[:2] for _ in range(clicks)]
    result["redirects"] = sum(1 for status, location in redirects if status == 302 and location == url)
    result["counted"] = poll(60, lambda: counted(code), lambda total: total == clicks)
    # web's pods each keep the recent links for RECENT_CACHE_S (1 s): a link made
    # through links shows on web's home page within that.
    result["listed_by_web"] = poll(5, lambda: listed_by_web(code), bool)
    print(json.dumps(result))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
