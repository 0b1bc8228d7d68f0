"""The ballot box: one-time ballots and their spending (``ballots``), the sealed envelopes and the
responses opened from them (``responses``, ``sealing``) and the keys still needed to open them
(``keys``). Imports core, models and staff's audit record.
"""
