"""`pakn admin calendar-day`, `pakn admin pause` and `pakn admin end-pause` against a running platform."""

from __future__ import annotations

import functools
import json

import pytest

from pakn.routing.v1 import calendar_pb2
from tests.e2e import accounts

pytestmark = pytest.mark.e2e


def test_record_a_day_and_declare_a_pause(start_platform, clients_for, tmp_path):
    # Microservices mode's shape: the issuer alone, routing verifying its tokens by its JWKS over HTTP.
    identity = start_platform("identity")
    p = start_platform("routing", **{"identity.embedded_issuer": identity.config.identity.embedded_issuer})
    c = clients_for(p)
    # The calendar's days and pauses are the administrator's (Đ3.3): a real account, logged in.
    pakn = functools.partial(accounts.pakn, env=accounts.logged_in(tmp_path, identity, "administrator"))
    address = f"127.0.0.1:{p.port}"
    off = pakn("--address", address, "admin", "calendar-day", "2026-10-12", "--off", "--name-vi", "Nghỉ do bão",
               "--name-en", "Day off (storm)", "--document", "Công điện 12/CĐ-UBND")
    assert off.returncode == 0, off.stderr
    assert json.loads(off.stdout)["date"] == "2026-10-12"
    day = c.calendar.GetDay(calendar_pb2.GetDayRequest(date="2026-10-12")).day
    assert not day.working and day.document == "Công điện 12/CĐ-UBND"

    paused = pakn("--address", address, "admin", "pause", "--start", "2026-10-13T08:00:00+07:00",
                  "--end", "2026-10-13T17:00:00+07:00", "--reason", "Bão số 7")
    assert paused.returncode == 0, paused.stderr
    shown = json.loads(paused.stdout)
    assert shown["reason"] == "Bão số 7" and shown["start"] == "2026-10-13T01:00:00Z" and shown["pause_id"]

    unknown = pakn("--address", address, "admin", "pause", "--start", "2026-10-13T08:00:00+07:00",
                   "--end", "2026-10-13T07:00:00+07:00", "--unit", "khong-co", "--reason", "Bão")
    assert unknown.returncode == 1 and "INVALID_ARGUMENT" in unknown.stderr
    assert "unit_id" in unknown.stderr and "end must be after start" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    naive = pakn("--address", address, "admin", "pause", "--start", "2026-10-13T08:00:00",
                 "--end", "2026-10-13T09:00:00+07:00", "--reason", "Bão")
    assert naive.returncode == 2 and "--start" in naive.stderr
    neither = pakn("--address", address, "admin", "calendar-day", "2026-10-12", "--name-vi", "x", "--name-en", "x",
                   "--document", "x")
    assert neither.returncode == 2 and "--off or --working" in neither.stderr
    assert len(c.calendar.ListPauses(calendar_pb2.ListPausesRequest()).pauses) == 1

    ended = pakn("--address", address, "admin", "end-pause", shown["pause_id"], "--end", "2026-10-13T12:00:00+07:00",
                 "--reason", "Bão tan sớm")
    assert ended.returncode == 0, ended.stderr
    shown = json.loads(ended.stdout)
    assert shown["end"] == "2026-10-13T05:00:00Z" and shown["end_reason"] == "Bão tan sớm"
    longer = pakn("--address", address, "admin", "end-pause", shown["pause_id"], "--end", "2026-10-13T18:00:00+07:00",
                  "--reason", "Gõ nhầm")
    assert longer.returncode == 1 and "only be shortened" in longer.stderr and "Traceback" not in longer.stderr
    missing = pakn("--address", address, "admin", "end-pause", "khong-co", "--end", "2026-10-13T08:00:00+07:00",
                   "--reason", "Gõ nhầm")
    assert missing.returncode == 1 and "NOT_FOUND" in missing.stderr
    withdrawn = pakn("--address", address, "admin", "end-pause", shown["pause_id"],
                     "--end", "2026-10-13T08:00:00+07:00", "--reason", "Khai báo nhầm")
    assert withdrawn.returncode == 0, withdrawn.stderr
    assert json.loads(withdrawn.stdout)["end"] == json.loads(withdrawn.stdout)["start"]
    assert c.calendar.GetDay(calendar_pb2.GetDayRequest(date="2026-10-13")).day.working
