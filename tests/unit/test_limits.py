"""runtime/limits.py: one table of limits for every request field, in step with the stores' columns."""

from __future__ import annotations

import importlib

import pytest
import sqlalchemy as sa
from google.protobuf import timestamp_pb2
from google.protobuf.descriptor import FieldDescriptor

from pakn.common.v1 import common_pb2
from pakn.intake.v1 import intake_pb2
from runtime import limits
from runtime.errors import InvalidArgument, Violation, to_status
from runtime.modules import SERVICES, spec_of


def request_messages(service: str):
    module = importlib.import_module(f"pakn.{service}.v1.{service}_pb2")
    seen: dict[str, object] = {}

    def walk(descriptor):
        if descriptor.full_name in seen:
            return
        seen[descriptor.full_name] = descriptor
        for f in descriptor.fields:
            if f.type == FieldDescriptor.TYPE_MESSAGE:
                walk(f.message_type)

    for s in module.DESCRIPTOR.services_by_name.values():
        for method in s.methods:
            walk(method.input_type)
    return seen.values()


def string_fields(service: str):
    for d in request_messages(service):
        for f in d.fields:
            if f.type == FieldDescriptor.TYPE_STRING:
                yield d.full_name, f.name


@pytest.mark.parametrize("service", SERVICES)
def test_every_string_field_of_every_request_has_a_declared_limit(service):
    """A new field falls to no catch-all: its name must match a rule of runtime/limits.RULES."""
    undeclared = [f"{m}.{f}" for m, f in string_fields(service) if limits.rule_for(f) is limits.DEFAULT]
    assert undeclared == []


# Assignment ids are made by routing (UUIDs, 36 characters) and stored from its events only: a longer
# one in a request can only fail to match (ids of tests' own making are longer).
GENERATED = {"work_items.assignment_id", "assignments.assignment_id", "assignment_id"}


@pytest.mark.parametrize("service", SERVICES)
def test_no_limit_exceeds_the_column_that_stores_the_field(service):
    names = {f for _, f in string_fields(service)}
    too_small = []
    for table in spec_of(service).metadata.tables.values():
        for column in table.columns:
            if column.name in GENERATED or f"{table.name}.{column.name}" in GENERATED:
                continue
            if column.name in names and isinstance(column.type, sa.String) and column.type.length:
                limit = limits.rule_for(column.name).max_length
                if limit > column.type.length:
                    too_small.append(f"{table.name}.{column.name}: column {column.type.length} < limit {limit}")
    assert too_small == []


def test_strings_are_refused_for_length_and_control_characters_without_their_value():
    request = intake_pb2.SubmitCaseRequest(
        request_id="r" * 257, operator_id="o\x00", content="dòng 1\ndòng 2\tcó tab",
        submitter=intake_pb2.Submitter(email=("a" * 65) + "@example.vn", full_name="An\x1b[31m"),
        location=common_pb2.Location(ward_code="x" * 1_000_000))
    violations = {v.field: v for v in limits.check(request)}
    assert set(violations) == {"request_id", "operator_id", "submitter.email", "submitter.full_name",
                               "location.ward_code"}
    for v in violations.values():
        assert "rrrr" not in v.en and "xxxx" not in v.en and "\x00" not in v.en and "[31m" not in v.vi
    assert "too long" in violations["request_id"].en
    assert "control character" in violations["operator_id"].en


def test_an_address_of_254_characters_passes_and_255_does_not():
    ok = "a@" + "b" * 248 + ".vn"
    assert len(ok) == 253 and not limits.check(intake_pb2.Submitter(email=ok + "x"))
    assert limits.check(intake_pb2.Submitter(email=ok + "xy"))


@pytest.mark.parametrize("seconds,nanos,bad", [
    (0, 0, False), (253_402_300_799, 999_999_999, False), (253_402_300_800, 0, True), (0, -1, True),
    (0, 1_000_000_000, True), (-62_135_596_801, 0, True)])
def test_timestamps_must_be_storable(seconds, nanos, bad):
    request = intake_pb2.SubmitCaseRequest(occurred_at=timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos))
    assert bool(limits.check(request)) is bad


def test_repeated_fields_are_bounded_and_the_status_fits_in_a_trailer():
    request = intake_pb2.SubmitCaseRequest(media_ids=[f"m-{i}" for i in range(1000)])
    violations = limits.check(request, media_ids=10)
    assert [v.field for v in violations] == ["media_ids"]
    many = InvalidArgument([Violation(f"f{i}", "sai " * 20, "wrong " * 20) for i in range(1000)])
    assert len(many.violations) < 50
    kept = len(many.violations) - 1
    assert f"{1000 - kept} more" in many.violations[-1].en
    assert len(to_status(many).SerializeToString()) * 4 / 3 < 8 * 1024  # base64 in the trailer
    short = InvalidArgument([Violation(f"f{i}", "sai", "wrong") for i in range(1000)])
    assert len(short.violations) == limits.MAX_VIOLATIONS
    twice = InvalidArgument([Violation("a", "x", "x"), Violation("a", "y", "y")])
    assert len(twice.violations) == 1


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


def test_docs_limits_shows_the_rules_of_the_code():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "limits.md").read_text()
    assert limits.table_markdown() in doc
