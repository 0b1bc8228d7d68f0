"""GCJ-02 (the offset grid of 高德 / 腾讯 maps in China) back to WGS-84 (GPS, what a phone's
browser reports). Coordinates copied from those maps lie 100-700 m off otherwise.

The forward offset is the standard published formula (Krasovsky ellipsoid); the inverse is
found by fixed-point iteration, which converges to well under a centimetre in a few steps.
Outside mainland China's bounding box GCJ-02 equals WGS-84.
"""

from __future__ import annotations

import math

A = 6378245.0
EE = 0.00669342162296594323
ITERATIONS = 6


def in_china(lat: float, lon: float) -> bool:
    return 72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271


def _lat_offset(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2 / 3
    return ret


def _lon_offset(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    return ret


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    if not in_china(lat, lon):
        return lat, lon
    dlat = _lat_offset(lon - 105.0, lat - 35.0)
    dlon = _lon_offset(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((A * (1 - EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (A / sqrtmagic * math.cos(radlat) * math.pi)
    return lat + dlat, lon + dlon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """The WGS-84 point whose GCJ-02 offset lands on (lat, lon)."""
    wlat, wlon = lat, lon
    for _ in range(ITERATIONS):
        glat, glon = wgs84_to_gcj02(wlat, wlon)
        wlat, wlon = wlat + (lat - glat), wlon + (lon - glon)
    return wlat, wlon
