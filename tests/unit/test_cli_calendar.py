"""`pakn calendar` and `pakn report period`: computed locally, no platform needed."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from runtime.cli import main


def pakn(*args: str):
    return CliRunner().invoke(main, list(args))


def test_the_documented_example_as_people_run_it():
    done = subprocess.run([sys.executable, "-m", "runtime.cli", "calendar", "deadline",
                           "--from", "2026-03-02T09:00:00+07:00", "--working-days", "6"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "2026-03-10T23:59:59+07:00\n"


@pytest.mark.parametrize("args, printed", [
    (["--from", "2026-03-02T09:00:00+07:00", "--working-days", "6"], "2026-03-10T23:59:59+07:00"),
    (["--from", "2026-02-13T09:00:00+07:00", "--working-days", "1"], "2026-02-23T23:59:59+07:00"),  # Tết
    (["--from", "2026-03-02T09:00:00+07:00", "--working-days", "0"], "2026-03-02T23:59:59+07:00"),
    # An instant in UTC counts on its local date: 18:00Z on 2 March is 01:00 on 3 March here.
    (["--from", "2026-03-02T18:00:00Z", "--working-days", "1"], "2026-03-04T23:59:59+07:00"),
    (["--from", "2026-03-02T09:00:00+07:00", "--hours", "24"], "2026-03-03T09:00:00+07:00"),
    (["--from", "2026-03-02T02:00:00+00:00", "--hours", "1.5"], "2026-03-02T10:30:00+07:00"),
    (["--from", "2025-04-25T10:00:00+07:00", "--working-days", "1", "--unit", "unit-1"],
     "2025-04-26T23:59:59+07:00"),  # the make-up Saturday
])
def test_deadline(args, printed):
    result = pakn("calendar", "deadline", *args)
    assert result.exit_code == 0, result.output
    assert result.stdout == printed + "\n"


def test_deadline_needs_an_offset():
    result = pakn("calendar", "deadline", "--from", "2026-03-02T09:00:00", "--working-days", "6")
    assert result.exit_code == 2
    assert "offset is required" in result.stderr and "+07:00" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("args, message", [
    (["--from", "2026-03-02T09:00:00+07:00"], "exactly one of --working-days and --hours"),
    (["--from", "2026-03-02T09:00:00+07:00", "--working-days", "1", "--hours", "2"], "exactly one of"),
    (["--from", "tomorrow", "--hours", "2"], "not an ISO 8601 instant"),
    (["--from", "2026-03-02T09:00:00+07:00", "--working-days", "-1"], "--working-days"),
    (["--from", "2026-03-02T09:00:00+07:00", "--hours", "nan"], "not a number of hours"),
    (["--working-days", "1"], "--from"),
])
def test_deadline_usage_errors(args, message):
    result = pakn("calendar", "deadline", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_working_day_and_why():
    monday = pakn("calendar", "working-day", "2026-03-02")
    assert monday.exit_code == 0
    assert monday.stdout.splitlines() == ["2026-03-02: ngày làm việc / working day",
                                          "Lý do / reason: Thứ Hai / Monday"]
    make_up = pakn("calendar", "working-day", "2026-08-22")
    assert make_up.exit_code == 0
    assert "Make-up working Saturday" in make_up.stdout and "9441/TB-BNV" in make_up.stdout


def test_a_day_off_and_why():
    tet = pakn("calendar", "working-day", "2026-02-17")
    assert tet.exit_code == 1
    lines = tet.stdout.splitlines()
    assert lines[0] == "2026-02-17: ngày nghỉ / day off"
    assert lines[1] == "Lý do / reason: Tết Nguyên đán (mùng 1) / Lunar New Year (1st day)"
    assert lines[2].startswith("Văn bản / document: 9441/TB-BNV (Thông báo số 9441/TB-BNV")
    assert "provisional" not in tet.stdout
    sunday = pakn("calendar", "working-day", "2026-03-01")
    assert sunday.exit_code == 1 and "Chủ nhật / Sunday" in sunday.stdout


def test_a_day_of_an_unannounced_year_is_provisional():
    result = pakn("calendar", "working-day", "2027-01-01")
    assert result.exit_code == 1
    assert "Tết Dương lịch / New Year's Day" in result.stdout
    assert "Bộ luật Lao động" in result.stdout and "provisional" in result.stdout
    monday = pakn("calendar", "working-day", "2027-01-04")
    assert monday.exit_code == 0 and "provisional" in monday.stdout


def test_a_bad_date_is_a_usage_error():
    result = pakn("calendar", "working-day", "2026-02-30")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.stderr


@pytest.mark.parametrize("kind, spec, printed", [
    ("monthly", "2026-03", "2026-02-15 2026-03-14"),
    ("monthly", "2026-01", "2025-12-15 2026-01-14"),
    ("quarterly", "2026-Q1", "2025-12-15 2026-03-14"),
    ("quarterly", "2026-q4", "2026-09-15 2026-12-14"),
    ("half", "2026-H1", "2025-12-15 2026-06-14"),
    ("half", "2026-H2", "2026-06-15 2026-12-14"),
    ("nine-month", "2026", "2025-12-15 2026-09-14"),
    ("annual", "2026", "2025-12-15 2026-12-14"),
])
def test_report_period(kind, spec, printed):
    result = pakn("report", "period", kind, spec)
    assert result.exit_code == 0, result.output
    assert result.stdout == printed + "\n"


@pytest.mark.parametrize("args, message", [
    (["monthly", "2026-13"], "month must be 1-12"),
    (["monthly", "2026-Q1"], "YYYY-MM"),
    (["quarterly", "2026-Q5"], "YYYY-Qn"),
    (["quarterly", "2026"], "YYYY-Qn"),
    (["half", "2026-H3"], "YYYY-H1 or YYYY-H2"),
    (["annual", "26"], "YYYY"),
    (["nine-month", "2026-09"], "YYYY"),
    (["monthly", "0001-01"], "out of range"),
    (["weekly", "2026"], "'weekly' is not one of"),
    (["monthly"], "Missing argument"),
])
def test_bad_report_periods_are_usage_errors(args, message):
    result = pakn("report", "period", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_bad_input_never_shows_a_traceback():
    done = subprocess.run([sys.executable, "-m", "runtime.cli", "report", "period", "quarterly", "2026-Q9"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "YYYY-Qn" in done.stderr and "Traceback" not in done.stderr
