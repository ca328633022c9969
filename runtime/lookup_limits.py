"""Rate limits on citizens' look-ups: a tracking code proved with the phone or e-mail given (Đ6.3).

A tracking code is printed on receipts and sent by SMS; the proof that goes with it (a phone
number, an e-mail address) is guessable. Without a limit anyone holding a code could try phone
numbers until one fits and then read the case (Đ13.8, Đ16.6). Intake's GetCaseStatus and
publication's GetSubmitterAnswer, ReplyToAnswer and RateCase therefore run their proof through a
`LookupLimiter` (`guard`):

- every failed proof (an unknown code, or a contact that is not the case's) is counted twice: for
  the tracking code and for the caller's source address (runtime/identity/context.current().source);
- before a proof is even checked, an address with `per_address` failures in the last
  `window_seconds`, or a code with `per_code` failures in that window, is refused with
  RESOURCE_EXHAUSTED and google.rpc.RetryInfo: when the oldest failure that counts leaves the
  window. A refused call is not checked, so it is not counted: the lock ends at most one window
  after the last guess;
- the per-code limit is what stops guesses spread over many addresses, and it is also what an
  attacker could use to lock a citizen out of their own case. To keep that within reason it is
  higher than the per-address limit (one address cannot lock a code alone: it is stopped first), a
  lock lasts one window at most, and an address that proved the code before (within
  `trusted_days`) is still let through while the code is locked by others' guesses (it still has
  its own per-address limit). Notifications still reach the citizen by e-mail and SMS meanwhile.

Whose failures an address's counter holds (`lookup_source`): a citizen calling directly, their
source address; a channel's front-end calling on its users' behalf (the web portal, the bots), the
user's address as the front-end forwards it in `x-pakn-citizen-address` (trusted only from an
authenticated channel account), else every user of that channel together; a coordinator (the
hotline looking a case up for a caller) is staff, accountable by their token, and not limited.

The counters live in the service's own database (the same tables on SQLite and PostgreSQL), so
every replica sees every failure. Codes and addresses are stored only as keyed hashes
(security.verifier_key): an address is personal data. Old rows are pruned as new ones come.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import math
from datetime import datetime, timedelta
from typing import Callable, Iterator

import sqlalchemy as sa

from runtime.errors import DomainError, NotFound, ResourceExhausted

log = logging.getLogger("pakn.lookup_limits")

KEY = 40  # hex characters kept of each keyed hash


def lookup_limit_tables(metadata: sa.MetaData) -> None:
    """Add the lookup_failures and lookup_trusted tables to a service's metadata."""
    sa.Table(
        "lookup_failures", metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        # A keyed hash of "code:<tracking code>" or "addr:<source address>".
        sa.Column("key", sa.String(KEY), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Index("ix_lookup_failures_key_failed_at", "key", "failed_at"),
    )
    sa.Table(
        "lookup_trusted", metadata,
        # A keyed hash of the (tracking code, source address) pair that proved the code.
        sa.Column("key", sa.String(KEY), primary_key=True),
        sa.Column("proved_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )


# The metadata key in which a channel's front-end forwards its user's address.
FORWARDED = "x-pakn-citizen-address"
# `guard`'s default source: the bound caller's address.
CALLER = "\x00caller"


def lookup_source(context) -> str | None:
    """The source a look-up's failures count against, for the RPC being handled (see above); None
    for staff, who are not limited."""
    from runtime.identity.context import current
    from runtime.identity.roles import Role

    caller = current()
    principal = caller.principal
    if principal.has(Role.COORDINATOR):
        return None
    if principal.has(Role.CHANNEL):
        forwarded = ""
        for key, value in (context.invocation_metadata() or ()) if context is not None else ():
            if key == FORWARDED and isinstance(value, str):
                forwarded = value.strip()[:64]
        return f"{principal.channel or principal.client_id or principal.subject}|{forwarded}"
    return caller.source


class ProofFailed(NotFound):
    """An unknown tracking code or a contact that is not the case's: one answer for both, counted."""

    def __init__(self) -> None:
        super().__init__("Không tìm thấy phản ánh với mã và thông tin liên hệ này",
                         "no case with this tracking code and contact")


class LookupLimiter:
    def __init__(self, db, metadata: sa.MetaData, settings, secret: str,
                 clock: Callable[[], datetime] | None = None):
        from runtime.messaging import utcnow

        self.db = db
        self.failures = metadata.tables["lookup_failures"]
        self.trusted = metadata.tables["lookup_trusted"]
        self.settings = settings
        self.secret = secret.encode()
        self.clock = clock or utcnow

    def _key(self, *parts: str) -> str:
        return hmac.new(self.secret, "\x00".join(parts).encode(), hashlib.sha256).hexdigest()[:KEY]

    @contextlib.contextmanager
    def guard(self, tracking_code: str, source: str | None = CALLER) -> Iterator[None]:
        """Refuse a locked code or address; count a ProofFailed raised inside; remember a success.
        `source`: from `lookup_source`; None: not limited; by default the bound caller's address.

        Wrap it around the use case's transaction (the failure is recorded in a transaction of its
        own, after the use case's has been rolled back)."""
        if source is None:
            yield
            return
        if source == CALLER:
            from runtime.identity.context import current

            source = current().source
        code_key, addr_key = self._key("code", tracking_code), self._key("addr", source)
        pair_key = self._key("pair", tracking_code, source)
        self.check(code_key, addr_key, pair_key)
        try:
            yield
        except ProofFailed:
            self._failed(code_key, addr_key)
            raise
        except DomainError:
            # The proof held, and the use case refused for another reason (a case not answered yet,
            # already rated): the address still proved the code.
            self._proved(pair_key)
            raise
        self._proved(pair_key)

    def check(self, code_key: str, addr_key: str, pair_key: str) -> None:
        s = self.settings
        now = self.clock()
        since = now - timedelta(seconds=s.window_seconds)
        f = self.failures
        with self.db.engine.connect() as conn:
            def recent(key: str, limit: int) -> list[datetime]:
                # The newest `limit` failures in the window, newest first.
                return [_utc(t) for t in conn.execute(
                    sa.select(f.c.failed_at).where(f.c.key == key, f.c.failed_at > since)
                    .order_by(f.c.failed_at.desc()).limit(limit)).scalars()]

            by_addr = recent(addr_key, s.per_address)
            if len(by_addr) >= s.per_address:
                self._refuse(by_addr[-1], now, "address")
            by_code = recent(code_key, s.per_code)
            if len(by_code) >= s.per_code:
                trusted_since = now - timedelta(days=s.trusted_days)
                known = conn.execute(sa.select(self.trusted.c.key).where(
                    self.trusted.c.key == pair_key, self.trusted.c.proved_at > trusted_since)).first()
                if known is None:
                    self._refuse(by_code[-1], now, "code")

    def _refuse(self, oldest_counted: datetime, now: datetime, what: str) -> None:
        """RESOURCE_EXHAUSTED until the oldest failure that counts leaves the window."""
        wait = (oldest_counted + timedelta(seconds=self.settings.window_seconds) - now).total_seconds()
        wait = max(1, math.ceil(wait))
        minutes = max(1, math.ceil(wait / 60))
        log.warning("citizen look-up refused: too many failed proofs for this %s (retry in %ss)", what, wait)
        raise ResourceExhausted(
            f"Đã nhập sai mã theo dõi hoặc thông tin liên hệ quá nhiều lần; vui lòng thử lại sau {minutes} phút",
            f"too many failed look-ups with this tracking code or from this address; try again in {wait} s",
            reason="LOOKUP_RATE_LIMITED", metadata={"retry_after_seconds": str(wait)}, retry_after=wait)

    def _failed(self, code_key: str, addr_key: str) -> None:
        now = self.clock()
        f = self.failures
        # engine.begin(), not Database.transaction(): a counter is not the call's change (no audit
        # record for it, runtime/audit.py), and it must commit though the call fails.
        with self.db.engine.begin() as conn:
            conn.execute(f.insert(), [{"key": code_key, "failed_at": now}, {"key": addr_key, "failed_at": now}])
            conn.execute(f.delete().where(f.c.failed_at <= now - timedelta(seconds=self.settings.window_seconds)))

    def _proved(self, pair_key: str) -> None:
        if self.settings.trusted_days <= 0:
            return
        now = self.clock()
        t = self.trusted
        try:
            with self.db.engine.begin() as conn:
                if conn.execute(t.update().where(t.c.key == pair_key).values(proved_at=now)).rowcount == 0:
                    conn.execute(t.insert().values(key=pair_key, proved_at=now))
                conn.execute(t.delete().where(t.c.proved_at <= now - timedelta(days=self.settings.trusted_days)))
        except sa.exc.IntegrityError:
            pass  # the same pair proved by a concurrent call: remembered already


def _utc(value: datetime) -> datetime:
    from runtime.messaging import as_utc

    return as_utc(value)
