"""Shamir's secret sharing over GF(256), byte by byte: any ``k`` of ``n`` shares rebuild the
secret, and ``k - 1`` shares say nothing about it (every secret fits them equally).

Written here rather than taken from PyPI: the maintained packages either pull in a big
dependency for 40 lines or draw their coefficients from ``random``, not from ``secrets``.
Arithmetic is AES's field (x^8 + x^4 + x^3 + x + 1), by log/exp tables of the generator 3.
"""

from __future__ import annotations

import secrets

_EXP = [0] * 512
_LOG = [0] * 256


def _build_tables() -> None:
    value = 1
    for power in range(255):
        _EXP[power] = value
        _LOG[value] = power
        # multiply by the generator 3: value * 2 (xtime) xor value
        doubled = value << 1
        if doubled & 0x100:
            doubled ^= 0x11B
        value = doubled ^ value
    for power in range(255, 512):
        _EXP[power] = _EXP[power - 255]


_build_tables()

MAX_SHARES = 255


def mul(a: int, b: int) -> int:
    if a == 0 or b == 0:
        return 0
    return _EXP[_LOG[a] + _LOG[b]]


def div(a: int, b: int) -> int:
    if b == 0:
        raise ZeroDivisionError("division by zero in GF(256)")
    if a == 0:
        return 0
    return _EXP[_LOG[a] - _LOG[b] + 255]


def _evaluate(coefficients: list[int], x: int) -> int:
    """The polynomial (constant term first) at ``x``, by Horner's rule."""
    result = 0
    for coefficient in reversed(coefficients):
        result = mul(result, x) ^ coefficient
    return result


def split(secret: bytes, k: int, n: int) -> list[tuple[int, bytes]]:
    """``n`` shares ``(x, bytes)`` with x = 1..n, any ``k`` of which rebuild ``secret``."""
    if not 1 <= k <= n <= MAX_SHARES:
        raise ValueError("shares need 1 <= k <= n <= 255")
    polynomials = [[byte] + [secrets.randbelow(256) for _ in range(k - 1)] for byte in secret]
    return [(x, bytes(_evaluate(p, x) for p in polynomials)) for x in range(1, n + 1)]


def combine(shares: list[tuple[int, bytes]]) -> bytes:
    """The secret at x = 0 of the polynomial through ``shares`` (Lagrange). Given fewer
    than k shares it returns some other value: the caller checks the result."""
    xs = [x for x, _ in shares]
    if not shares or len(set(xs)) != len(xs) or not all(0 < x <= MAX_SHARES for x in xs):
        raise ValueError("shares need distinct holders 1..255")
    length = len(shares[0][1])
    if any(len(value) != length for _, value in shares):
        raise ValueError("shares of different lengths")
    weights = []
    for i, xi in enumerate(xs):
        weight = 1
        for j, xj in enumerate(xs):
            if i != j:  # the basis polynomial at 0: prod xj / (xj - xi); minus is xor
                weight = mul(weight, div(xj, xj ^ xi))
        weights.append(weight)
    out = bytearray(length)
    for weight, (_, value) in zip(weights, shares, strict=True):
        for position, byte in enumerate(value):
            out[position] ^= mul(weight, byte)
    return bytes(out)
