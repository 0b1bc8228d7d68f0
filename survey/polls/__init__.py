"""Public satisfaction polls (群众满意度测评): answering by slug, the service radius and what stands
against stuffing (``answers``), and the verification of 不满意 reasons (``complaints``). Imports
core, models, staff and the ballot box; never appraisal, campaigns, files or a door.
"""

from survey.polls.answers import (
    EARTH_RADIUS_M,
    KIND,
    anomaly_report,
    answer_poll,
    check_fill_time,
    check_geofence,
    client_hash,
    count_throttled,
    device_hmac,
    geo_counts,
    has_answered,
    haversine_m,
    is_open,
    keyed_hash,
    load_poll,
    locate,
    retried_receipt,
    set_closing_date,
    spend_form,
    stamp_value,
    store_answer,
)

__all__ = [
    "EARTH_RADIUS_M",
    "KIND",
    "anomaly_report",
    "answer_poll",
    "check_fill_time",
    "check_geofence",
    "client_hash",
    "count_throttled",
    "device_hmac",
    "geo_counts",
    "has_answered",
    "haversine_m",
    "is_open",
    "keyed_hash",
    "load_poll",
    "locate",
    "retried_receipt",
    "set_closing_date",
    "spend_form",
    "stamp_value",
    "store_answer",
]
