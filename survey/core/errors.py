"""Domain errors: each knows the HTTP status and the reason key a view shows."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    reason = "invalid"

    def __init__(self, message: str = "", **detail):
        super().__init__(message or self.reason)
        self.message = message or self.reason
        self.detail = detail


class NotFound(DomainError):
    status, reason = 404, "not_found"


class NotOpen(DomainError):
    status, reason = 403, "not_open"


class Expired(DomainError):
    status, reason = 410, "expired"


class Voided(DomainError):
    status, reason = 410, "void"


class VoidCard(Voided):
    """A voided card typed by a teller (a paper ballot): 409 as the paper contract says, the
    same reason and words as for a phone."""

    status = 409


class AlreadyUsed(DomainError):
    status, reason = 409, "already_used"


class NoBallotRows(DomainError):
    """The ballot-by-ballot file asked for: a closed campaign keeps counts only (no stored
    row is a ballot, docs/secrecy.md), so there is none any more; the tally has the counts."""

    status, reason = 410, "no_ballot_rows"


class Invalid(DomainError):
    status, reason = 400, "invalid"


class Conflict(DomainError):
    status, reason = 409, "conflict"


class AlreadyOpen(Conflict):
    """Opening a campaign that is open already: said as such, not as a generic 409."""

    reason = "already_open"


class AlreadyClosed(Conflict):
    reason = "already_closed"


class NoCards(Conflict):
    """Opening a meeting's campaign before any card was generated: nobody could vote."""

    reason = "no_cards"


class TooFewCards(NoCards):
    """Opening a meeting's campaign with fewer cards than a secret ballot needs (three: a
    branch has at least three members); with one or two, each vote would be known."""

    reason = "too_few_cards"


class Forbidden(DomainError):
    status, reason = 403, "forbidden"


class AlreadyAnswered(DomainError):
    status, reason = 409, "already_answered"


class TooFast(DomainError):
    """Sent faster than a human fills the form, or from a page too old to trust."""

    status, reason = 400, "too_fast"


class OutsideArea(DomainError):
    """Geofence ``require``: the position is outside the service radius or unknown."""

    status, reason = 403, "outside"


class MissingKey(DomainError):
    """A sealed envelope names a secret key that is no longer configured: the campaign
    cannot be closed until that key is back in SURVEY_SECRET_KEYS."""

    status, reason = 409, "missing_key"


class BrokenEnvelope(DomainError):
    """A sealed envelope does not decrypt under the key it names (tampered or foreign)."""

    status, reason = 409, "broken_envelope"


class ScrutineersNeeded(Conflict):
    """Closing a scrutineer-sealed campaign without k good scrutineer cards: nothing changes.
    ``detail["cards"]`` names each refused code by its place and why."""

    reason = "scrutineers_needed"
