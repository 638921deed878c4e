"""An example webhook receiver for claimwire's change feed: verifies each delivery's signature, refuses replays.

    CLAIMWIRE_WEBHOOK_SECRET=<the secret POST /webhooks returned> python examples/webhook_receiver.py --port 9000

Standard library only. Each delivery is a POST of one change (docs/schemas/change.v1.json) with

    X-Claimwire-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + raw body)>

The receiver recomputes the HMAC over the raw body (before parsing it), compares in constant time, refuses a
timestamp more than five minutes away (a captured delivery sent again later), and drops a change id it has
already taken (claimwire retries a delivery that did not get a 2xx, so the same change can come twice).
Answer 2xx quickly and do the work afterwards: anything else is retried with backoff, in order.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_S = 300


def verify(secret: str, body: bytes, header: str, now: float | None = None) -> bool:
    """True when HEADER is a valid signature of BODY with SECRET, made within TOLERANCE_S of now."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > TOLERANCE_S:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


class Receiver:
    """A receiver on 127.0.0.1:PORT. `secret`: the subscription's secret (settable later); `status`: what it
    answers (500 to see claimwire retry). Verified changes go to `changes`, in arrival order; every request,
    verified or not, to `requests`."""

    def __init__(self, secret: str = "", port: int = 0, status: int = 204) -> None:
        self.secret, self.status = secret, status
        self.changes: list[dict] = []
        self.requests: list[dict] = []
        self.seen: set[int] = set()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                signature = self.headers.get("X-Claimwire-Signature", "")
                ok = verify(receiver.secret, body, signature)
                with receiver.lock:
                    receiver.requests.append(
                        {"at": time.time(), "path": self.path, "headers": dict(self.headers), "body": body, "verified": ok}
                    )
                if not ok:
                    self.send_response(401)
                elif receiver.status >= 300:
                    self.send_response(receiver.status)
                else:
                    change = json.loads(body)
                    with receiver.lock:
                        if change["id"] not in receiver.seen:  # a retried delivery we already took
                            receiver.seen.add(change["id"])
                            receiver.changes.append(change)
                    self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/claimwire"

    def __enter__(self) -> "Receiver":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=9000)
    args = parser.parse_args()
    with Receiver(os.environ["CLAIMWIRE_WEBHOOK_SECRET"], args.port) as receiver:
        print(f"listening on {receiver.url}", flush=True)
        taken = 0
        while True:
            time.sleep(0.5)
            for change in receiver.changes[taken:]:
                print(
                    change["id"],
                    change["kind"],
                    "event",
                    change["event_id"],
                    json.dumps(change["data"], ensure_ascii=False)[:120],
                    flush=True,
                )
            taken = len(receiver.changes)


if __name__ == "__main__":
    main()
