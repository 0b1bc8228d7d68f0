"""The cost of sealing one vote, apart from the rest of a cast: version 1 (the server's key,
AES-GCM under a cached derived key) against version 2 (sealed to the scrutineers' X25519
public key: one ephemeral key, one ECDH and one HKDF a vote), and opening each at close.

    .venv/bin/python bench/sealing.py [-n 5000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from survey.ballotbox import sealing  # noqa: E402

VOTE = {"class": "full", "geo": None, "answers": [[1, "basically_competent", None]]}


def per_call(work, n: int) -> float:
    """Microseconds a call, the best of three runs of ``n``."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(n):
            work()
        best = min(best, time.perf_counter() - started)
    return best / n * 1e6


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=5000)
    n = parser.parse_args().n
    keys = ["bench-secret-key"]
    private = sealing.private_key_from_seed(b"\x01" * 16, 1)
    public = sealing.public_bytes(private)
    kid1, blob1 = sealing.seal(1, VOTE, keys, rows=1)
    kid2, blob2 = sealing.seal_to(public, 1, VOTE, rows=1)
    figures = {
        "seal_v1_server_us": per_call(lambda: sealing.seal(1, VOTE, keys, rows=1), n),
        "seal_v2_scrutineers_us": per_call(lambda: sealing.seal_to(public, 1, VOTE, rows=1), n),
        "unseal_v1_us": per_call(lambda: sealing.unseal(1, kid1, blob1, keys), n),
        "unseal_v2_us": per_call(lambda: sealing.unseal_with(private, 1, kid2, blob2), n),
    }
    for name, value in figures.items():
        print(f"{name}: {value:.1f}")
    print(f"envelope bytes: v1 {len(blob1)}, v2 {len(blob2)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
