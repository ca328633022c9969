"""runtime/limits.py: one table of limits for every request field, in step with the stores' columns."""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from google.protobuf import timestamp_pb2
from google.protobuf.descriptor import FieldDescriptor

from pakn.common.v1 import common_pb2
from pakn.intake.v1 import intake_pb2
from pakn.processing.v1 import processing_pb2
from pakn.routing.v1 import routing_pb2
from runtime import limits
from runtime.errors import InvalidArgument, Violation, to_status
from runtime.modules import SERVICES, spec_of

ROOT = Path(__file__).resolve().parents[2]


def service_modules(service: str):
    """Every generated module of the service's package (routing has CalendarService too)."""
    for path in sorted((ROOT / "gen" / "pakn" / service / "v1").glob("*_pb2.py")):
        yield importlib.import_module(f"pakn.{service}.v1.{path.stem}")


def request_messages(service: str) -> dict[str, object]:
    seen: dict[str, object] = {}

    def walk(descriptor):
        if descriptor.full_name in seen or descriptor.full_name.startswith("google."):
            return
        seen[descriptor.full_name] = descriptor
        for f in descriptor.fields:
            if f.type == FieldDescriptor.TYPE_MESSAGE:
                walk(f.message_type)

    for module in service_modules(service):
        for s in module.DESCRIPTOR.services_by_name.values():
            for method in s.methods:
                walk(method.input_type)
    return seen


ALL_REQUESTS = {name: d for service in SERVICES for name, d in request_messages(service).items()}


def needs_a_limit(f: FieldDescriptor) -> bool:
    return (f.is_repeated or f.type in (FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_ENUM)
            or (f.type == FieldDescriptor.TYPE_MESSAGE and f.message_type.full_name == "google.protobuf.Timestamp"))


def fits(rule: limits.Rule, f: FieldDescriptor) -> bool:
    """The declared rule is of the field's kind."""
    if f.is_repeated:
        each = rule.each
        item_ok = (f.type != FieldDescriptor.TYPE_STRING or (each is not None and each.max_length > 0)) and (
            f.type != FieldDescriptor.TYPE_ENUM or (each is not None and each.enum))
        return rule.max_items != 0 and item_ok
    if f.type == FieldDescriptor.TYPE_STRING:
        return rule.max_length > 0
    if f.type == FieldDescriptor.TYPE_ENUM:
        return rule.enum
    return rule.timestamp


def test_every_string_repeated_timestamp_and_enum_field_of_every_request_has_a_declared_limit():
    """A new field of any service's request fails here until runtime/limits.FIELDS names its limit."""
    assert {s for s in SERVICES} >= {"intake", "routing", "processing", "publication", "notification", "reporting"}
    assert "pakn.routing.v1.DeclarePauseRequest" in ALL_REQUESTS  # CalendarService is covered
    missing, wrong = [], []
    for name, d in ALL_REQUESTS.items():
        for f in d.fields:
            if not needs_a_limit(f):
                continue
            rule = limits.rule_of(name, f.name)
            if rule is None:
                missing.append(f"{name}.{f.name}")
            elif not fits(rule, f):
                wrong.append(f"{name}.{f.name}")
    assert missing == [] and wrong == []


def test_the_table_names_only_fields_that_exist():
    stale = [f"{m}.{f}" for m, fields in limits.FIELDS.items() for f in fields
             if m not in ALL_REQUESTS or f not in ALL_REQUESTS[m].fields_by_name]
    assert [m for m in limits.FIELDS if m not in ALL_REQUESTS] == [] and stale == []


def columns(ref: str):
    table, column = ref.split(".")
    for service in SERVICES:
        t = spec_of(service).metadata.tables.get(table)
        if t is not None and column in t.columns:
            yield service, t.columns[column]


def test_every_stored_field_fits_its_columns():
    """The columns that keep a value as given are at least as large as its limit, in every service."""
    problems = []
    for message, fields in limits.FIELDS.items():
        for name, rule in fields.items():
            for r in (rule, rule.each):
                for ref in (r.stored if r else ()):
                    found = list(columns(ref))
                    if not found:
                        problems.append(f"{message}.{name}: no column {ref}")
                    for service, column in found:
                        length = getattr(column.type, "length", None)
                        if isinstance(column.type, sa.String) and length is not None and length < r.max_length:
                            problems.append(f"{service}.{ref}: {length} < {r.max_length}")
    assert problems == []


def test_derived_columns_fit_the_longest_value_they_are_made_of():
    from services.intake.store import cases
    from services.notification import domain
    from services.notification.store import deliveries, recipients

    # "req:<request_id>" or "<channel>:<external_id>"
    longest_key = max(len("req:"), len(f"{max(common_pb2.Channel.values())}:")) + limits.IDEMPOTENCY
    assert longest_key <= cases.c.idempotency_key.type.length
    # The masked copy of the longest address intake takes.
    address = "a" * limits.EMAIL_LOCAL + "@" + "b" * (limits.EMAIL - limits.EMAIL_LOCAL - 4) + ".vn"
    assert len(address) == limits.EMAIL and not limits.email_problem(address)
    for table in (recipients, deliveries):
        assert len(domain.mask(address)) <= table.c.recipient_masked.type.length
        assert len(domain.mask("a@" + "b" * 600)) <= table.c.recipient_masked.type.length


def test_the_services_own_rules_take_their_numbers_from_the_table():
    from services.processing import domain as processing
    from services.routing import domain as routing

    def rule(message, field):
        return limits.FIELDS[message][field].max_length

    assert routing.MAX_NOTE == rule("pakn.routing.v1.CancelCaseRequest", "note")
    assert routing.MAX_TEXT == rule("pakn.routing.v1.MarkAwaitingUnitRequest", "proposed_unit_name")
    assert routing.MAX_DAY_NAME == rule("pakn.routing.v1.DayRule", "name_vi")
    assert routing.MAX_DOCUMENT == rule("pakn.routing.v1.DayRule", "document")
    assert processing.MAX_ANSWER == rule("pakn.processing.v1.Result", "answer")
    assert processing.MAX_DOCUMENT_NUMBER == rule("pakn.processing.v1.Result", "document_number")
    assert processing.MAX_HANDLER == rule("pakn.processing.v1.AssignHandlerRequest", "handler_id")
    assert processing.MAX_REASON == rule("pakn.processing.v1.ReturnToHandlerRequest", "reason")
    assert rule("pakn.intake.v1.SubmitCaseRequest", "content") == 10_000  # Đ6.2, docs/intake.md


def test_strings_are_refused_for_length_and_control_characters_without_their_value():
    request = intake_pb2.SubmitCaseRequest(
        request_id="r" * 257, operator_id="o\x00", content="dòng 1\ndòng 2\tcó tab",
        submitter=intake_pb2.Submitter(email=("a" * 65) + "@example.vn", full_name="An\x1b[31m"),
        location=common_pb2.Location(ward_code="x" * 1_000_000, address="số 1\nđường 2"))
    violations = {v.field: v for v in limits.check(request)}
    assert set(violations) == {"request_id", "operator_id", "submitter.email", "submitter.full_name",
                               "location.ward_code"}
    for v in violations.values():
        assert "rrrr" not in v.en and "xxxx" not in v.en and "\x00" not in v.en and "[31m" not in v.vi
    assert "too long" in violations["request_id"].en
    assert "control character" in violations["operator_id"].en
    assert "before @" in violations["submitter.email"].en


def test_newlines_and_tabs_only_in_free_text():
    assert not limits.check(routing_pb2.CancelCaseRequest(note="dòng 1\ndòng 2\t."))
    assert [v.field for v in limits.check(routing_pb2.CancelCaseRequest(reason_code="spam\n"))] == ["reason_code"]
    assert [v.field for v in limits.check(routing_pb2.CancelCaseRequest(note="a\x00b"))] == ["note"]


def test_c1_controls_only_in_the_text_intake_repairs_from_legacy_encodings():
    """Mojibake of UTF-8 shown as Windows-1252 holds C1 controls ("Ä‘Æ°á»\x9dng"): intake repairs
    it (Đ6.1), so its content, names and addresses take them; ids, codes and notes do not."""
    mojibake = "Ä‘Æ°á»\x9dng Tráº§n HÆ°ng Äáº¡o"
    ok = intake_pb2.SubmitCaseRequest(content=mojibake, submitter=intake_pb2.Submitter(
        full_name="Tráº§n\x85", address=mojibake), location=common_pb2.Location(address=mojibake))
    assert limits.check(ok) == []
    bad = intake_pb2.SubmitCaseRequest(request_id="r\x85", operator_id="op\x9d",
                                       location=common_pb2.Location(ward_code="00\x80"))
    assert {v.field for v in limits.check(bad)} == {"request_id", "operator_id", "location.ward_code"}
    assert [v.field for v in limits.check(routing_pb2.CancelCaseRequest(note="a\x9fb"))] == ["note"]


def test_an_address_of_254_characters_passes_and_255_does_not():
    ok = "a@" + "b" * 248 + ".vn"
    assert len(ok) == 253 and not limits.check(intake_pb2.Submitter(email=ok + "x"))
    assert limits.check(intake_pb2.Submitter(email=ok + "xy"))


NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("when,nanos,bad", [
    (datetime(2026, 3, 1, tzinfo=timezone.utc), 0, False),
    (datetime(2000, 1, 1, tzinfo=timezone.utc), 0, False),
    (NOW + timedelta(hours=23), 999_999_999, False),
    (NOW + timedelta(days=2), 0, True),                     # occurred_at: at most now + 1 day
    (datetime(1999, 12, 31, 23, 59, tzinfo=timezone.utc), 0, True),
    (datetime(2026, 3, 1, tzinfo=timezone.utc), -1, True),
    (datetime(2026, 3, 1, tzinfo=timezone.utc), 1_000_000_000, True),
])
def test_timestamps_must_be_valid_and_within_the_platforms_years(when, nanos, bad):
    stamp = timestamp_pb2.Timestamp(seconds=int(when.timestamp()), nanos=nanos)
    request = intake_pb2.SubmitCaseRequest(occurred_at=stamp)
    assert bool(limits.check(request, now=NOW)) is bad


@pytest.mark.parametrize("seconds", [253_402_300_800, -62_135_596_801, 253_402_300_799, 0])
def test_timestamps_out_of_protobufs_range_or_before_2000_are_refused(seconds):
    request = processing_pb2.RequestExtensionRequest(expected_completion=timestamp_pb2.Timestamp(seconds=seconds))
    assert [v.field for v in limits.check(request)] == ["expected_completion"]


def test_enum_values_are_left_to_the_services_own_messages_but_their_lists_are_bounded():
    assert not limits.check(intake_pb2.SubmitCaseRequest(channel=99))
    assert [v.field for v in limits.check(routing_pb2.ListInboxRequest(statuses=[1] * 21))] == ["statuses"]


def test_repeated_fields_are_bounded_and_the_status_fits_in_a_trailer():
    request = intake_pb2.SubmitCaseRequest(media_ids=[f"m-{i}" for i in range(1000)])
    violations = limits.check(request, media_ids=10)
    assert [v.field for v in violations] == ["media_ids"]
    assert [v.field for v in limits.check(routing_pb2.DistributeCaseRequest(unit_ids=["u"] * 51))] == ["unit_ids"]
    many = InvalidArgument([Violation(f"f{i}", "sai " * 20, "wrong " * 20) for i in range(1000)])
    assert len(many.violations) < 50
    kept = len(many.violations) - 1
    assert f"{1000 - kept} more" in many.violations[-1].en
    assert len(to_status(many).SerializeToString()) * 4 / 3 < 8 * 1024  # base64 in the trailer
    short = InvalidArgument([Violation(f"f{i}", "sai", "wrong") for i in range(1000)])
    assert len(short.violations) == limits.MAX_VIOLATIONS
    twice = InvalidArgument([Violation("a", "x", "x"), Violation("a", "y", "y")])
    assert len(twice.violations) == 1
    huge = InvalidArgument([Violation("f" * 10_000, "sai " * 10_000, "wrong " * 10_000)])
    assert len(to_status(huge).SerializeToString()) < 4 * 1024


def test_a_stream_of_long_words_does_not_fill_the_text_repair_cache():
    """Intake's memory grew with every long bad request: the syllable cache kept whole long words."""
    import random

    from services.intake import encoding

    encoding._is_short_syllable.cache_clear()
    rng = random.Random(7)
    for _ in range(300):
        encoding.repair("".join(rng.choices("abcdeghiklmnopqrstuvxyàáạ", k=2000)) + " Đèn đường không sáng")
    cached = encoding._is_short_syllable.cache_info().currsize
    assert cached < 50, cached


def test_docs_limits_shows_the_table_of_the_code():
    doc = (ROOT / "docs" / "limits.md").read_text()
    assert limits.table_markdown() in doc


@pytest.mark.parametrize("email,ok", [
    ("a" * 64 + "@" + "b" * 186 + ".vn", True),    # 254: RFC 5321's longest
    ("a" * 64 + "@" + "b" * 187 + ".vn", False),   # 255
    ("a" * 65 + "@example.vn", False),              # 65 before the @
    ("a" * 20 + "@" + "b" * 181 + ".vn", True),     # the tester's 205 characters: taken, and notified
])
def test_intake_takes_only_addresses_of_rfc_5321s_sizes(email, ok):
    """Intake's own rule (Đ6.3), not only the gRPC check: an address it takes fits notification."""
    from services.intake import domain

    now = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
    draft = domain.Draft(channel=1, content="Nội dung", full_name="Ngô Thị Em", phone="0912345678", email=email,
                         address="", location_address="Phường Tân Ninh", occurred_at=now - timedelta(hours=3),
                         has_place=True)
    if ok:
        domain.validate(draft, channel_valid=True, now=now)
        return
    with pytest.raises(InvalidArgument) as err:
        domain.validate(draft, channel_valid=True, now=now)
    assert [v.field for v in err.value.violations] == ["submitter.email"]
    assert email not in err.value.violations[0].en


def test_intake_refuses_a_time_of_the_issue_before_2000():
    from services.intake import domain

    now = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
    draft = domain.Draft(channel=1, content="Nội dung", full_name="Ngô Thị Em", phone="0912345678",
                         email="em@example.vn", address="", location_address="Phường Tân Ninh",
                         occurred_at=datetime(1999, 12, 31, tzinfo=timezone.utc), has_place=True)
    with pytest.raises(InvalidArgument) as err:
        domain.validate(draft, channel_valid=True, now=now)
    assert [v.field for v in err.value.violations] == ["occurred_at"]
