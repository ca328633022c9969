"""The audit trail: one hash-chained, append-only record per state change, decryption and denial.

Every service keeps its own chain in its own database (`audit_log`, with `audit_head` holding the
newest seq and hash): seq 1, 2, 3 … and each record's `hash` is SHA-256 over a canonical encoding
of the record, the previous record's hash and the service's name, so a changed byte, a removed
record or a record moved between chains breaks the chain where it happened
(`pakn admin audit verify`, runtime/admin_audit.py). Appending is serialised per service: the head
row is locked (`SELECT … FOR UPDATE` on PostgreSQL; SQLite has one writer, taken at BEGIN).

What is recorded, and where (docs/audit.md):

- a successful call of a mutating RPC (runtime/identity/policy.py `mutates=True`): in the SAME
  transaction as its change. `Database.transaction()` runs the trail's hook before it commits;
  the hook records once per call, in the first transaction of the call that wrote a row, so no
  change commits without its record.
- an event handled by a consumer: in the consumer's transaction, naming the identity the event
  carries (who originally acted) and the consumer that acted on their behalf (`via`).
- a decryption of personal data (a submitter's contact): by the code that decrypts, in its
  transaction when it has one (`decrypted`).
- a refused call (the identity gate's denials): in a transaction of its own, on the chain of the
  service that owns the method.

Records hold ids only — actor, roles, unit, method, object, case, outcome, source address and
request id. Never a name, a phone number, an e-mail, an address or a free-text reason: a
disclosure's record names the disclosure (whose row says why), not its contents.

On PostgreSQL the migration makes `audit_log` append-only: a trigger raises on UPDATE, DELETE and
TRUNCATE, and those privileges are revoked from the migrating role (`upgrade_v1`).
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
import logging
import weakref
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

import sqlalchemy as sa
from google.protobuf.message import Message
from sqlalchemy.engine import Connection

from runtime.identity.context import Caller, bound
from runtime.identity.policy import rule_for

if TYPE_CHECKING:
    from runtime.db import Database

log = logging.getLogger(__name__)

LOG_TABLE = "audit_log"
HEAD_TABLE = "audit_head"
GENESIS = "0" * 64
# The encoding's version, part of every hash: a later encoding gets a new one.
HASH_VERSION = "pakn-audit-v1"

OK = "ok"
DECRYPTED = "decrypted"

# Columns, in the order they are hashed (seq and prev_hash included; hash itself is not).
FIELDS = ("seq", "at", "actor_id", "via", "roles", "unit_id", "action", "object_type", "object_id", "case_id",
          "outcome", "detail", "source_address", "request_id", "prev_hash")

# Lengths: ids of runtime/limits.py's sizes (actor ids as OPERATOR, SUBJECT_MAX), with room.
_SIZES = {"actor_id": 128, "via": 64, "roles": 256, "unit_id": 64, "action": 128, "object_type": 32,
          "object_id": 64, "case_id": 36, "outcome": 64, "detail": 128, "source_address": 64, "request_id": 64}


def audit_tables(metadata: sa.MetaData) -> None:
    """Add audit_log and audit_head to a service's metadata (like messaging_tables)."""
    sa.Table(
        LOG_TABLE, metadata,
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        *(sa.Column(name, sa.String(size), nullable=False, server_default="") for name, size in _SIZES.items()),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Index("ix_audit_log_case_id", "case_id"),
    )
    sa.Table(
        HEAD_TABLE, metadata,
        # One row (id 1): the newest record's seq and hash; locked to append.
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )


# -- the migration (each service's migrations call these once; frozen: a change is a new version) --

_PG_GUARD = """
CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit records are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC, CURRENT_USER;
"""


def upgrade_v1(op) -> None:
    """Create the audit tables, the head row, and on PostgreSQL the append-only guard."""
    op.create_table(
        LOG_TABLE,
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        *(sa.Column(name, sa.String(size), nullable=False, server_default="") for name, size in _SIZES.items()),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_log_case_id", LOG_TABLE, ["case_id"])
    head = op.create_table(
        HEAD_TABLE,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_GUARD)


def downgrade_v1(op) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_refuse_change()")
    op.drop_table(HEAD_TABLE)
    op.drop_index("ix_audit_log_case_id", LOG_TABLE)
    op.drop_table(LOG_TABLE)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes; every stored instant is UTC."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


# -- records ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """What is recorded, before its place in the chain is known."""

    actor_id: str
    action: str
    outcome: str = OK
    via: str = ""
    roles: str = ""
    unit_id: str = ""
    object_type: str = ""
    object_id: str = ""
    case_id: str = ""
    detail: str = ""
    source_address: str = ""
    request_id: str = ""

    def values(self) -> dict[str, str]:
        out = {}
        for name, size in _SIZES.items():
            value = getattr(self, name) or ""
            out[name] = value if len(value) <= size else value[: size - 1] + "…"
        return out


def entry(caller: Caller, action: str | None = None, outcome: str = OK, *, object_type: str = "",
          object_id: str = "", case_id: str = "", detail: str = "") -> Entry:
    """An entry for `caller`: the identity it acts on behalf of when it is a consumer (via itself)."""
    principal, via = caller.principal, ""
    behalf = getattr(caller, "on_behalf_of", None)
    if behalf is not None:
        principal, via = behalf, caller.principal.subject
    actor_id = "anonymous" if principal.anonymous else principal.subject
    return Entry(actor_id=actor_id, action=action if action is not None else caller.action, outcome=outcome,
                 via=via, roles=",".join(sorted(str(r) for r in principal.roles)), unit_id=principal.unit_id or "",
                 object_type=object_type, object_id=object_id, case_id=case_id, detail=detail,
                 source_address=caller.source, request_id=caller.request_id)


def canonical_at(at: datetime) -> str:
    return as_utc(at).isoformat(timespec="microseconds")


def digest(service: str, record: dict[str, Any]) -> str:
    """SHA-256 over the record's canonical encoding, its prev_hash and the chain's service."""
    values = [canonical_at(record[f]) if f == "at" else record[f] for f in FIELDS]
    values[0] = int(values[0])
    body = json.dumps([HASH_VERSION, service, *values], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True)
class Verdict:
    service: str
    records: int
    broken_seq: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


# -- the per-call scope (bound by the gRPC server's interceptor around a handler) ---------------------

# Request fields naming the object a call acts on, in order of preference (ids only, never text).
_OBJECT_FIELDS = ("assignment_id", "delivery_id", "pause_id", "media_id", "unit_id", "case_id")


@dataclass
class CallScope:
    caller: Caller
    object_type: str = ""
    object_id: str = ""
    case_id: str = ""
    recorded: bool = False
    mutates: bool = False


_scope: contextvars.ContextVar[CallScope | None] = contextvars.ContextVar("pakn_audit_call", default=None)


def _request_ids(request: Any) -> tuple[str, str, str]:
    """(object type, object id, case id) from a unary request's id fields; nothing from a stream."""
    if not isinstance(request, Message):
        return "", "", ""
    names = {f.name for f in request.DESCRIPTOR.fields}
    case_id = request.case_id if "case_id" in names and isinstance(request.case_id, str) else ""
    unit = getattr(request, "unit", None)
    for name in _OBJECT_FIELDS:
        if name in names:
            value = getattr(request, name)
            if isinstance(value, str) and value:
                return name.removesuffix("_id"), value[:64], case_id[:36]
    if isinstance(unit, Message) and getattr(unit, "unit_id", ""):
        return "unit", unit.unit_id[:64], case_id[:36]
    return "", "", case_id[:36]


@contextlib.contextmanager
def call(caller: Caller, request: Any) -> Iterator[CallScope]:
    """Bind the call's audit scope for its handler (runtime/grpc_server.py)."""
    rule = rule_for(caller.action)
    object_type, object_id, case_id = _request_ids(request)
    scope = CallScope(caller, object_type, object_id, case_id, mutates=bool(rule and rule.mutates))
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


def current_scope() -> CallScope | None:
    scope = _scope.get()
    return scope if scope is not None and scope.caller is bound() else None


# -- the trail of one service ---------------------------------------------------------------------

_TX = "pakn.tx"
# Each service database's engine -> its trail (a decryption in a connection finds its chain).
_TRAILS: "weakref.WeakKeyDictionary[sa.engine.Engine, AuditTrail]" = weakref.WeakKeyDictionary()


def transaction_state(conn: Connection) -> dict | None:
    """What this transaction did so far (rows written, events' case ids), for the audit hook."""
    return conn.info.get(_TX)


class AuditTrail:
    """One service's chain: append (in a caller's transaction or its own), verify, read."""

    def __init__(self, service: str, db: "Database"):
        self.service, self.db = service, db
        tables = db.metadata.tables
        if LOG_TABLE not in tables:
            raise TypeError(f"{service}: its metadata has no audit tables (runtime/audit.py audit_tables)")
        self.log, self.head = tables[LOG_TABLE], tables[HEAD_TABLE]

    @classmethod
    def attach(cls, service: str, db: "Database") -> "AuditTrail":
        """The service's trail, hooked into its database's transactions (mutating calls' records)."""
        trail = cls(service, db)
        db.audit = trail
        _TRAILS[db.engine] = trail
        db.before_commit.append(trail._before_commit)
        sa.event.listen(db.engine, "after_cursor_execute", _mark_writes)
        return trail

    # appending ------------------------------------------------------------------------------------
    def append(self, conn: Connection, item: Entry) -> int:
        """Append `item` in `conn`'s transaction; returns its seq."""
        query = sa.select(self.head.c.seq, self.head.c.hash).where(self.head.c.id == 1)
        if self.db.is_postgres:
            query = query.with_for_update()
        head = conn.execute(query).first()
        if head is None:  # a database made without the migration (create_all): start the chain
            conn.execute(self.head.insert().values(id=1, seq=0, hash=GENESIS))
            head = conn.execute(query).first()
        record = {"seq": head.seq + 1, "at": utcnow(), **item.values(), "prev_hash": head.hash}
        record["hash"] = digest(self.service, record)
        conn.execute(self.log.insert().values(**record))
        conn.execute(self.head.update().where(self.head.c.id == 1).values(seq=record["seq"], hash=record["hash"]))
        return record["seq"]

    def record(self, item: Entry) -> int:
        """Append in a transaction of its own (denials, reads)."""
        with self.db.engine.begin() as conn:
            return self.append(conn, item)

    def _before_commit(self, conn: Connection) -> None:
        """A mutating call's record, in the first of its transactions that wrote a row."""
        scope = current_scope()
        state = transaction_state(conn)
        if scope is None or scope.recorded or not scope.mutates or not state or not state.get("wrote"):
            return
        cases = [c for c in state.get("case_ids", ()) if c]
        case_id = scope.case_id or (cases[0] if cases else "")
        object_type, object_id = scope.object_type, scope.object_id
        if not object_id and case_id:
            object_type, object_id = "case", case_id
        self.append(conn, entry(scope.caller, object_type=object_type, object_id=object_id, case_id=case_id))
        scope.recorded = True

    def denial_hook(self, services: Iterable[str]) -> Callable[[Caller, Any, str], None]:
        """An `on_denied` hook of the gRPC server recording refusals of these gRPC services' methods."""
        prefixes = tuple(f"/{name}/" for name in services)

        def hook(caller: Caller, _error, reason: str) -> None:
            if caller.action.startswith(prefixes):
                self.record(entry(caller, outcome=f"denied:{reason}"[:64]))
        return hook

    # reading --------------------------------------------------------------------------------------
    def case_trail(self, case_id: str, offset: int = 0, limit: int = 50) -> list[sa.Row]:
        with self.db.engine.connect() as conn:
            return conn.execute(sa.select(self.log).where(self.log.c.case_id == case_id)
                                .order_by(self.log.c.seq).offset(offset).limit(limit)).all()

    def count(self) -> int:
        with self.db.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(self.log)).scalar_one()

    def verify(self) -> Verdict:
        with self.db.engine.connect() as conn:
            return verify_chain(conn, self.service, self.log, self.head)


def _mark_writes(conn, _cursor, statement, _parameters, context, _executemany) -> None:
    """Note a row written in a transaction of Database.transaction() (its audit hook asks)."""
    state = conn.info.get(_TX)
    if state is None or state.get("wrote"):
        return
    if (context is not None and (context.isinsert or context.isupdate or context.isdelete)) or \
            statement.lstrip()[:6].lower() in ("insert", "update", "delete"):
        state["wrote"] = True


def verify_chain(conn: Connection, service: str, log_table: sa.Table, head_table: sa.Table,
                 batch: int = 1000) -> Verdict:
    """Walk a chain from seq 1: the first broken link, or OK with the count."""
    expected_seq, prev_hash, count = 1, GENESIS, 0
    last = 0
    while True:
        rows = conn.execute(sa.select(log_table).where(log_table.c.seq >= expected_seq)
                            .order_by(log_table.c.seq).limit(batch)).all()
        if not rows:
            break
        for row in rows:
            record = row._asdict()
            if row.seq != expected_seq:
                return Verdict(service, count, expected_seq,
                               f"seq {expected_seq} is missing (the next record is seq {row.seq})")
            if row.prev_hash != prev_hash:
                return Verdict(service, count, row.seq,
                               f"prev_hash differs from the hash of seq {row.seq - 1}")
            computed = digest(service, record)
            if computed != row.hash:
                return Verdict(service, count, row.seq, "the record's contents do not match its hash "
                               f"(stored {row.hash[:12]}…, computed {computed[:12]}…)")
            prev_hash, expected_seq, last = row.hash, row.seq + 1, row.seq
            count += 1
    head = conn.execute(sa.select(head_table.c.seq, head_table.c.hash).where(head_table.c.id == 1)).first()
    if head is not None and (head.seq != last or head.hash != prev_hash):
        return Verdict(service, count, last + 1 if head.seq > last else head.seq,
                       f"the chain ends at seq {last} but its head says seq {head.seq}: records removed or "
                       "the head changed")
    return Verdict(service, count)


# -- decryptions ------------------------------------------------------------------------------------

def decrypted(where: "Database | Connection", *, object_type: str, object_id: str, case_id: str = "",
              why: str) -> None:
    """Record that personal data of `object_type`/`object_id` was decrypted, by the bound caller, and why.

    `where` is the decrypting use case's connection (recorded in its transaction) or the service's
    Database (recorded in a transaction of its own). `why` is ids or a fixed word
    ("disclosure:<id>", "ownership_check", "send:<delivery id>"), never text a person wrote. Within
    a mutating call the record stands for the call's change too (one record per call).
    """
    from runtime.identity.context import system

    conn = where if isinstance(where, Connection) else None
    trail = _TRAILS.get(conn.engine) if conn is not None else getattr(where, "audit", None)
    if trail is None:
        raise RuntimeError("a decryption outside any service's audit trail")
    caller = bound() or system(trail.service, "decrypt")
    item = entry(caller, outcome=DECRYPTED, object_type=object_type, object_id=object_id, case_id=case_id,
                 detail=why)
    if conn is None:
        trail.record(item)
    else:
        trail.append(conn, item)
        scope = current_scope()
        if scope is not None:
            scope.recorded = True
