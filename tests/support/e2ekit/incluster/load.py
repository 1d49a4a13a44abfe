"""A steady load on the suite's Services, from inside the cluster, counting every request:

    python - PLAN RATE STOP_FILE [TOKEN] < load.py

Sends RATE requests a second (an open loop: a slow answer does not slow the next request)
until STOP_FILE exists, each on a new connection, so that every request is routed afresh
by the Service, as many independent clients would be. PLAN is JSON, the kinds of request
to send in turn and the codes they read: {"codes": ["CODE", ...], "requests": [KIND, ...]}

    redirect      GET redirect /r/CODE, a 302 expected
    links_read    GET links /api/links/CODE, a 200 expected
    create        POST links /api/links, a 201 expected (with TOKEN, when writes need one)

A request fails when it gets no answer or an answer other than the one expected. Prints
one JSON object: counts, each failure with its time and reason (the first 50), and the
302s each code answered (what stats must count).
Runs in the suite's own image: the standard library only.
"""

import http.client
import json
import os
import queue
import sys
import threading
import time
import uuid

PORT = 8080
WORKERS = 16


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = self.failed = 0
        self.failures = []
        self.redirected = {}
        self.created = []

    def record(self, what, ok, reason=""):
        with self.lock:
            self.requests += 1
            if not ok:
                self.failed += 1
                if len(self.failures) < 50:
                    self.failures.append({"at": time.time(), "request": what, "reason": reason})


def call(method, host, path, body=None, token=None):
    headers = {"Connection": "close"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection = http.client.HTTPConnection(host, PORT, timeout=10)
    try:
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def attempt(tally, what, expected, method, host, path, body=None, token=None):
    """One request, recorded; returns the body when the status was the expected one."""
    try:
        status, data = call(method, host, path, body, token)
    except OSError as exc:
        tally.record(what, False, f"{type(exc).__name__}: {exc}")
        return None
    ok = status == expected
    tally.record(what, ok, "" if ok else f"HTTP {status}: {data[:200]!r}")
    return data if ok else None


def follow(tally, code):
    if attempt(tally, f"GET /r/{code}", 302, "GET", "redirect", f"/r/{code}") is not None:
        with tally.lock:
            tally.redirected[code] = tally.redirected.get(code, 0) + 1


def one(plan, tally, n, token):
    """Request ``n`` of the plan: its kinds in turn, each over the codes in turn."""
    kinds = plan["requests"]
    kind = kinds[n % len(kinds)]
    if kind == "create":
        url = f"https://example.org/e2e-load/{uuid.uuid4().hex}"
        created = attempt(tally, "POST /api/links", 201, "POST", "links", "/api/links", {"url": url}, token)
        if created is not None:
            with tally.lock:
                tally.created.append({"code": json.loads(created)["code"], "at": time.time()})
        return
    code = plan["codes"][(n // len(kinds)) % len(plan["codes"])]
    if kind == "redirect":
        follow(tally, code)
    else:
        attempt(tally, f"GET /api/links/{code}", 200, "GET", "links", f"/api/links/{code}")


def main(plan, rate, stop_file, token=None):
    tally, tickets = Tally(), queue.Queue()

    def worker():
        while (n := tickets.get()) is not None:
            one(plan, tally, n, token)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    started, n = time.monotonic(), 0
    while not os.path.exists(stop_file):
        tickets.put(n)
        n += 1
        time.sleep(max(0.0, started + n / rate - time.monotonic()))
    for _ in threads:
        tickets.put(None)
    for thread in threads:
        thread.join(timeout=30)
    seconds = time.monotonic() - started
    print(
        json.dumps(
            {
                "seconds": round(seconds, 1),
                "requests": tally.requests,
                "failed": tally.failed,
                "failures": tally.failures,
                "redirected": tally.redirected,
                "created": tally.created,
            }
        )
    )


if __name__ == "__main__":
    main(json.loads(sys.argv[1]), float(sys.argv[2]), sys.argv[3], *sys.argv[4:5])
