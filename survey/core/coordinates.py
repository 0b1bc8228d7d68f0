"""A point read from what an admin pastes: a 高德 or 腾讯地图 share link, or "lat,lng".

No map is loaded (a map needs the internet); the link's own parameters carry the point:

- 高德 (amap): ``uri.amap.com/marker?position=<lng>,<lat>``, ``…/navigation?to=<lng>,<lat>``,
  ``m.amap.com/navi/?dest=<lng>,<lat>``, ``ditu.amap.com/regeo?lng=…&lat=…``,
  ``www.amap.com/?p=<poi id>,<lat>,<lng>,…`` and ``?q=<lat>,<lng>,…``;
- 腾讯地图 (map.qq.com): ``apis.map.qq.com/uri/v1/marker?marker=coord:<lat>,<lng>;…``,
  ``…routeplan?tocoord=<lat>,<lng>``, ``?center=<lat>,<lng>``,
  ``map.qq.com/?pointx=<lng>&pointy=<lat>``.

Both maps use GCJ-02 (``gcj02`` True: the caller converts to WGS-84, survey.core.gcj02). A
short link (``surl.amap.com/…``, ``url.cn/…``) names no point: resolving it needs the internet,
so it is refused with its own reason (open it in a browser, then paste the long address). A
plain pair is latitude first; "116.397,39.909" (longitude first, as 高德's picker writes it)
is read the right way round, as no latitude exceeds 90.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

MAX_TEXT = 2000
NUMBER = r"[-+]?\d{1,3}(?:\.\d+)?"
PAIR = re.compile(rf"^\s*({NUMBER})\s*[,，;；\s]\s*({NUMBER})\s*$")
URL = re.compile(r"https?://[^\s<>\"'【】，。]+", re.IGNORECASE)
AMAP_HOSTS = ("amap.com", "autonavi.com", "gaode.com")
QQ_HOSTS = ("map.qq.com",)
SHORT_HOSTS = ("surl.amap.com", "url.cn", "t.cn", "dwz.cn", "j.map.qq.com")
# Parameters that hold "<lng>,<lat>" on 高德 and "<lat>,<lng>" on 腾讯.
AMAP_LNG_LAT = ("position", "dest", "to", "from", "lnglat", "location")
AMAP_LAT_LNG = ("q",)
QQ_LAT_LNG = ("marker", "coord", "tocoord", "fromcoord", "center", "latlng")


class Unreadable(ValueError):
    """``reason``: "short_link" (resolving it needs the internet), "no_point" (a link or text
    that names no point), or "out_of_range"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float
    gcj02: bool  # from 高德 / 腾讯 (GCJ-02); False for a plain pair, whose grid the admin says


def read_point(text: str) -> Point:
    """The point in ``text`` (a pasted link, maybe inside the app's share words, or a pair)."""
    text = (text or "").strip()[:MAX_TEXT]
    pair = PAIR.match(text)
    if pair:
        return _checked(float(pair.group(1)), float(pair.group(2)), gcj02=False, guess=True)
    link = URL.search(text)
    if link is None:
        raise Unreadable("no_point")
    return _from_link(link.group(0))


def _from_link(url: str) -> Point:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if any(host == h or host.endswith("." + h) for h in SHORT_HOSTS):
        raise Unreadable("short_link")
    params = {k.lower(): v[0] for k, v in parse_qs(parts.query).items()}
    params |= {k.lower(): v[0] for k, v in parse_qs(parts.fragment).items() if v}
    if _on(host, AMAP_HOSTS):
        return _amap(params)
    if _on(host, QQ_HOSTS):
        return _qq(params)
    raise Unreadable("no_point")


def _on(host: str, domains) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def _numbers(value: str) -> list[float]:
    return [float(n) for n in re.findall(NUMBER, unquote(value))]


def _amap(params: dict[str, str]) -> Point:
    if "lng" in params and "lat" in params:
        return _checked(_first(params["lat"]), _first(params["lng"]), gcj02=True)
    if "p" in params:  # poi id, lat, lng, name, address
        fields = params["p"].split(",")
        if len(fields) >= 3:
            return _checked(_first(fields[1]), _first(fields[2]), gcj02=True)
    for key in AMAP_LNG_LAT:
        numbers = _numbers(params.get(key, ""))
        if len(numbers) >= 2:
            return _checked(numbers[1], numbers[0], gcj02=True)
    for key in AMAP_LAT_LNG:
        numbers = _numbers(params.get(key, ""))
        if len(numbers) >= 2:
            return _checked(numbers[0], numbers[1], gcj02=True)
    raise Unreadable("no_point")


def _qq(params: dict[str, str]) -> Point:
    if "pointx" in params and "pointy" in params:
        return _checked(_first(params["pointy"]), _first(params["pointx"]), gcj02=True)
    for key in QQ_LAT_LNG:
        value = params.get(key, "")
        if key == "marker":  # coord:39.9,116.4;title:…;addr:…
            found = re.search(rf"coord:\s*({NUMBER})\s*,\s*({NUMBER})", unquote(value))
            value = f"{found.group(1)},{found.group(2)}" if found else ""
        numbers = _numbers(value)
        if len(numbers) >= 2:
            return _checked(numbers[0], numbers[1], gcj02=True)
    raise Unreadable("no_point")


def _first(value: str) -> float:
    numbers = _numbers(value)
    if not numbers:
        raise Unreadable("no_point")
    return numbers[0]


def _checked(lat: float, lon: float, gcj02: bool, guess: bool = False) -> Point:
    if guess and abs(lat) > 90 and abs(lon) <= 90:  # "lng,lat" as 高德's picker writes it
        lat, lon = lon, lat
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise Unreadable("out_of_range")
    return Point(lat, lon, gcj02)
