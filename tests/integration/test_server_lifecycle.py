"""A real `pakn serve` process: health, reflection, graceful SIGTERM; deadlines on client calls."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent import futures
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from pakn.common.v1 import common_pb2
from pakn.intake.v1 import intake_pb2, intake_pb2_grpc
from runtime.clients import channel
from runtime.identity.issuer import EmbeddedIssuer, SigningKeys
from runtime.identity.roles import Role
from tests import media_samples
from tests.infra import free_port


@pytest.fixture
def intake_process(tmp_path):
    port = free_port()
    env = {**os.environ, "PAKN_DATA_DIR": str(tmp_path), "PAKN_METRICS__ENABLED": "false",
           "PAKN_SERVER__GRACE_SECONDS": "10"}
    proc = subprocess.Popen([sys.executable, "-m", "runtime.cli", "serve", "--target=intake", f"--port={port}"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    proc.args_data_dir = str(tmp_path)
    ch = grpc.insecure_channel(f"127.0.0.1:{port}")
    health = health_pb2_grpc.HealthStub(ch)
    deadline = time.monotonic() + 30
    while True:
        try:
            if health.Check(health_pb2.HealthCheckRequest(service="pakn.intake.v1.IntakeService"),
                            timeout=1).status == health_pb2.HealthCheckResponse.SERVING:
                break
        except grpc.RpcError:
            pass
        assert proc.poll() is None, proc.stdout.read().decode(errors="replace")
        assert time.monotonic() < deadline, "intake did not become SERVING"
        time.sleep(0.1)
    yield proc, ch
    ch.close()
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def test_reflection_lists_the_service(intake_process):
    _, ch = intake_process
    stub = reflection_pb2_grpc.ServerReflectionStub(ch)
    responses = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]),
                                          timeout=5)
    names = {s.name for r in responses for s in r.list_services_response.service}
    assert {"pakn.intake.v1.IntakeService", "grpc.health.v1.Health"} <= names


def test_sigterm_lets_an_inflight_upload_finish_then_exits_cleanly(intake_process):
    proc, ch = intake_process
    stub = intake_pb2_grpc.IntakeServiceStub(ch)
    terminated = threading.Event()

    photo = media_samples.jpeg(size=6004)

    def slow_upload():
        yield intake_pb2.UploadMediaRequest(header=common_pb2.MediaUploadHeader(filename="a.jpg"))
        yield intake_pb2.UploadMediaRequest(chunk=photo[:1004])
        proc.send_signal(signal.SIGTERM)  # the operator stops the pod mid-upload
        terminated.set()
        time.sleep(1.0)
        for i in range(5):
            yield intake_pb2.UploadMediaRequest(chunk=photo[1004 + 1000 * i:2004 + 1000 * i])
            time.sleep(0.1)

    # A channel's token, signed by the process's own issuer (its key ring in the data folder).
    issuer = EmbeddedIssuer("http://localhost:8470", "pakn",
                            SigningKeys(Path(proc.args_data_dir) / "identity" / "signing-keys.json"))
    token = issuer.issue("channel-web", [Role.CHANNEL], channel="web_portal")
    media = stub.UploadMedia(slow_upload(), timeout=20, metadata=[("authorization", f"Bearer {token}")]).media
    assert terminated.is_set()
    # Accepted only if every byte arrived (a cut JPEG is refused as damaged); what is stored is the
    # re-encoded image, so its size is not the upload's.
    assert media.content_type == "image/jpeg" and media.size_bytes > 0 and media.media_id
    assert proc.wait(timeout=20) == 0
    with pytest.raises(grpc.RpcError) as refused:
        stub.GetCaseStatus(intake_pb2.GetCaseStatusRequest(tracking_code="26-0000000", contact="x"), timeout=2)
    assert refused.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


def test_every_client_call_carries_a_deadline():
    seen: list[float | None] = []

    def handler(request, context):
        seen.append(context.time_remaining())
        return request

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(
        "test.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(handler)}),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        ch = channel(f"127.0.0.1:{port}", deadline_seconds=3.0)
        echo = ch.unary_unary("/test.Echo/Echo")
        assert echo(b"hi") == b"hi"  # no timeout given by the caller
        assert seen[0] is not None and 0 < seen[0] <= 3.5
        echo(b"hi", timeout=30)
        assert seen[1] > 3.0  # an explicit timeout wins
    finally:
        server.stop(0)
