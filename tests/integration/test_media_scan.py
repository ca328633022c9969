"""Uploads scanned by a real clamd (started by the tests, tests/infra.py Clamd, with its own EICAR
signatures): a finding is INVALID_ARGUMENT, a clamd that cannot scan is UNAVAILABLE, nothing is
stored either way; through receive() and over gRPC."""

from __future__ import annotations

import io
import logging
import socket
import threading
import time
from pathlib import Path

import grpc
import pytest
import sqlalchemy as sa

from pakn.common.v1 import common_pb2
from pakn.intake.v1 import intake_pb2
from runtime.errors import InvalidArgument, Unavailable
from runtime.media import LocalMediaStore, receive
from runtime.scan import ClamdScanner, ScannerUnavailable
from tests import media_samples
from tests.helpers import now_ts, place, rpc_error, violations
from tests.infra import EICAR, free_port

pytestmark = pytest.mark.clamd
MiB = 1024 * 1024
# A valid PDF that carries the test virus (in a comment): PDF is stored as received, so only the scan stops it.
PDF_WITH_EICAR = media_samples.pdf().replace(b"%PDF-1.4\n", b"%PDF-1.4\n%" + EICAR + b"\n", 1)


@pytest.fixture
def store(tmp_path) -> LocalMediaStore:
    return LocalMediaStore(tmp_path / "media")


def files_in(store: LocalMediaStore) -> list[Path]:
    return sorted(p for p in store.root.rglob("*") if p.is_file())


@pytest.fixture(params=["unix", "tcp"])
def scanner(request, clamd) -> ClamdScanner:
    return ClamdScanner(clamd.unix_address if request.param == "unix" else clamd.tcp_address, timeout=10)


def test_clamd_knows_the_test_virus_and_passes_clean_files(scanner):
    assert scanner.ping() and scanner.version().startswith("ClamAV")
    assert scanner.scan(io.BytesIO(EICAR), len(EICAR)).startswith("PAKN-Test.EICAR")
    photo = media_samples.photo()
    assert scanner.scan(io.BytesIO(photo), len(photo)) is None
    big = media_samples.mp4(3 * MiB)  # in many INSTREAM chunks
    assert scanner.scan(io.BytesIO(big), len(big)) is None


def test_the_test_virus_as_a_plain_upload_is_refused_and_nothing_stored(store, scanner):
    # Not an image, video or PDF: refused from its first bytes, before anything else; clamd knows it too.
    with pytest.raises(InvalidArgument):
        receive(store, "intake", "eicar.com", [EICAR], MiB, scanner=scanner)
    assert files_in(store) == []


@pytest.mark.parametrize("data", [
    PDF_WITH_EICAR,
    media_samples.photo(comment=EICAR),  # in a JPEG comment: re-encoding would drop it, the scan refuses it
], ids=["pdf", "jpeg-comment"])
def test_a_file_carrying_the_test_virus_is_refused_by_clamd_and_nothing_stored(store, scanner, data):
    with pytest.raises(InvalidArgument) as err:
        receive(store, "intake", "bien-ban.pdf", [data], MiB, public_copy_key="public/{media_id}", scanner=scanner)
    [v] = err.value.violations
    assert v.vi == "Tệp chứa mã độc (virus) và bị từ chối"
    assert v.en == "the file contains malware (a virus) and is refused"
    assert "bien-ban" not in v.vi + v.en
    assert files_in(store) == []


def test_clean_files_are_stored_when_scanned(store, scanner):
    pdf = receive(store, "intake", "don.pdf", [media_samples.pdf()], MiB, scanner=scanner)
    photo = receive(store, "intake", "anh.jpg", [media_samples.photo()], MiB, public_copy_key="public/{media_id}",
                    scanner=scanner)
    assert pdf.quarantined and not photo.quarantined and photo.public_key
    assert len(files_in(store)) == 3


def test_a_file_over_the_scan_limit_is_refused(store, clamd):
    small = ClamdScanner(clamd.unix_address, timeout=10, max_stream_bytes=1 * MiB)
    with pytest.raises(InvalidArgument) as err:
        receive(store, "intake", "clip.mp4", media_samples.mp4_chunks(2 * MiB, 65536), 10 * MiB, scanner=small)
    assert "too large to be scanned" in err.value.violations[0].en
    # clamd's own StreamMaxLength (4 MiB here) smaller than ours: clamd refuses, the upload fails closed.
    mismatched = ClamdScanner(clamd.unix_address, timeout=10, max_stream_bytes=100 * MiB)
    with pytest.raises(Unavailable):
        receive(store, "intake", "clip.mp4", media_samples.mp4_chunks(6 * MiB, 65536), 10 * MiB, scanner=mismatched)
    assert files_in(store) == []


def test_a_clamd_that_cannot_be_reached_refuses_uploads_as_unavailable(store, tmp_path):
    for address in (f"unix:{tmp_path / 'no-clamd.sock'}", f"tcp:127.0.0.1:{free_port()}"):
        with pytest.raises(Unavailable) as err:
            receive(store, "intake", "anh.jpg", [media_samples.photo()], MiB, scanner=ClamdScanner(address, timeout=2))
        assert "try again later" in err.value.en and err.value.vi
    assert files_in(store) == []


def test_a_clamd_that_does_not_answer_times_out(store):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(listener.accept()[0]), daemon=True).start()
    try:
        scanner = ClamdScanner(f"tcp:127.0.0.1:{listener.getsockname()[1]}", timeout=1)
        started = time.monotonic()
        with pytest.raises(ScannerUnavailable):
            scanner.scan(io.BytesIO(b"x" * 100), 100)
        assert time.monotonic() - started < 5
    finally:
        for s in (*held, listener):
            s.close()


# -- over gRPC ---------------------------------------------------------------------------------------

def upload(data: bytes, name: str):
    yield intake_pb2.UploadMediaRequest(header=common_pb2.MediaUploadHeader(filename=name))
    for i in range(0, len(data), 65536):
        yield intake_pb2.UploadMediaRequest(chunk=data[i:i + 65536])


def test_intake_scans_uploads_and_a_clean_photo_goes_through_to_a_case(start_platform, clients_for, clamd, caplog):
    caplog.set_level(logging.INFO, "pakn.scan")
    p = start_platform("intake", **{"scan.clamd": clamd.unix_address})
    assert "uploaded media are scanned by clamd" in caplog.text
    c = clients_for(p)

    infected = rpc_error(lambda: c.intake.UploadMedia(upload(PDF_WITH_EICAR, "bien-ban-ho-so.pdf")))
    assert infected.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "malware" in violations(infected)["chunk"] and "bien-ban-ho-so" not in str(infected.details())
    store = p.get("media-store")
    assert [f for f in store.root.rglob("*") if f.is_file()] == []
    assert "PAKN-Test.EICAR" in caplog.text  # the operator sees what was found (never the file's name)

    photo = media_samples.photo(width=64, height=48, orientation=6, with_gps=True)
    ref = c.intake.UploadMedia(upload(photo, "anh.jpg")).media
    case = c.intake.SubmitCase(intake_pb2.SubmitCaseRequest(
        channel=common_pb2.CHANNEL_MOBILE_APP, content="Ổ gà lớn giữa đường 30/4, xe máy dễ ngã",
        occurred_at=now_ts(), location=place(), media_ids=[ref.media_id],
        submitter=intake_pb2.Submitter(full_name="Trần Thị Bình", phone="0912345678", email="binh@example.vn")))
    assert case.tracking_code
    with p.service("intake").db.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT storage_key, public_key, quarantined, case_id FROM media "
                                   "WHERE media_id = :m"), {"m": ref.media_id}).one()
    assert row.case_id == case.case_id and not row.quarantined
    original = b"".join(store.open_chunks(row.storage_key, 65536))
    public = b"".join(store.open_chunks(row.public_key, 65536))
    from PIL import Image

    for kept in (original, public):
        assert b"Exif" not in kept and b"GPS" not in kept
        assert Image.open(io.BytesIO(kept)).size == (48, 64)  # turned upright by its orientation


def test_intake_refuses_uploads_while_its_clamd_is_down(start_platform, clients_for, tmp_path):
    p = start_platform("intake", **{"scan.clamd": f"unix:{tmp_path / 'gone.sock'}"})
    err = rpc_error(lambda: clients_for(p).intake.UploadMedia(upload(media_samples.photo(), "anh.jpg")))
    assert err.code() == grpc.StatusCode.UNAVAILABLE
    assert [f for f in p.get("media-store").root.rglob("*") if f.is_file()] == []


def test_without_clamd_the_start_says_uploads_are_not_scanned(start_platform, caplog):
    caplog.set_level(logging.WARNING, "pakn.scan")
    start_platform("all")
    lines = [r.getMessage() for r in caplog.records if r.name == "pakn.scan"]
    assert any(line.startswith("intake: uploaded media are NOT scanned") for line in lines)
    assert any(line.startswith("processing: uploaded media are NOT scanned") for line in lines)
