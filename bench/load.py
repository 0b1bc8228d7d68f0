"""The cast load: each client GETs a ballot page, then POSTs it back with its CSRF token and
one-time nonce (the ``ballot_form`` shape of tests/helpers.py), like a phone does.

Run it as its own process, so that the load does not share the server's interpreter:

    python bench/load.py --port P --tokens FILE --clients 32 --seconds 15

The public poll has the same shape (``--prefix /p/``, the poll's slug as every token,
``--field choice=satisfied --field website=``: a new device each answer).

Bounded in count (each token is cast at most once) and in time; prints one JSON object:
casts, casts_per_s, POST p50/p99 in ms, and the statuses seen.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import threading
import time
import urllib.parse

INPUT = re.compile(r'<input[^>]*name="(csrf_token|nonce|issued)"[^>]*>')
VALUE = re.compile(r'value="([^"]*)"')


def hidden_fields(html: str) -> dict:
    return {m.group(1): VALUE.search(m.group(0)).group(1) for m in INPUT.finditer(html)}


def one_cast(port: int, token: str, prefix: str, fields: dict) -> tuple[int, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", f"{prefix}{token}")
    page = conn.getresponse()
    html = page.read().decode()
    cookie = "; ".join(
        c.split(";", 1)[0] for c in page.msg.get_all("Set-Cookie") or [] if "Max-Age=0" not in c
    )
    conn.close()
    form = hidden_fields(html) | fields
    body = urllib.parse.urlencode(form)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = cookie
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    start = time.perf_counter()
    conn.request("POST", f"{prefix}{token}", body=body, headers=headers)
    answer = conn.getresponse()
    answer.read()
    elapsed = time.perf_counter() - start
    conn.close()
    return answer.status, elapsed


def run(
    port: int, tokens: list[str], clients: int, seconds: float, prefix: str, fields: dict
) -> dict:
    lock = threading.Lock()
    queue = list(reversed(tokens))
    latencies, statuses = [], {}
    deadline = time.monotonic() + seconds

    def worker():
        while time.monotonic() < deadline:
            with lock:
                if not queue:
                    return
                token = queue.pop()
            try:
                status, elapsed = one_cast(port, token, prefix, fields)
            except (OSError, http.client.HTTPException):
                status, elapsed = 0, 0.0
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status == 303:
                    latencies.append(elapsed)

    start = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    wall = time.monotonic() - start
    latencies.sort()

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 1)

    return {
        "casts": len(latencies),
        "casts_per_s": round(len(latencies) / wall, 1),
        "post_p50_ms": pct(0.50) if latencies else None,
        "post_p99_ms": pct(0.99) if latencies else None,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "seconds": round(wall, 3),
        "latencies_ms": [round(x * 1000, 1) for x in latencies],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tokens", required=True)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--prefix", default="/b/")
    parser.add_argument("--field", action="append", default=[], help="name=value sent too")
    args = parser.parse_args()
    fields = dict(f.split("=", 1) for f in args.field) or {"choice": "excellent"}
    with open(args.tokens) as f:
        tokens = [line.strip() for line in f if line.strip()]
    print(json.dumps(run(args.port, tokens, args.clients, args.seconds, args.prefix, fields)))


if __name__ == "__main__":
    main()
