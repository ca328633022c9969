"""Traces leave the process over OTLP/gRPC to a collector (a real OTLP receiver on loopback)."""

from __future__ import annotations

from concurrent import futures

import grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from pakn.common.v1 import common_pb2
from pakn.intake.v1 import intake_pb2
from tests.helpers import eventually, now_ts, place


class Collector(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self) -> None:
        self.spans: list[tuple[str, str]] = []  # (service.name, span name)

    def Export(self, request, context):
        for resource_spans in request.resource_spans:
            attrs = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope in resource_spans.scope_spans:
                self.spans += [(attrs.get("service.name", ""), s.name) for s in scope.spans]
        return trace_service_pb2.ExportTraceServiceResponse()


def test_spans_are_exported_over_otlp(start_platform, clients_for):
    collector = Collector()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(collector, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        p = start_platform("intake", **{"tracing.exporter": "otlp",
                                        "tracing.otlp_endpoint": f"http://127.0.0.1:{port}"})
        clients_for(p).intake.SubmitCase(intake_pb2.SubmitCaseRequest(
            channel=common_pb2.CHANNEL_EMAIL, content="Hố ga trước trường học bị mất nắp rất nguy hiểm",
            occurred_at=now_ts(), location=place(),
            submitter=intake_pb2.Submitter(full_name="Đặng Thị Hoa", phone="0903111222", email="hoa@example.vn")))
        p.get("telemetry").tracer_provider.force_flush()
        eventually(lambda: ("pakn-intake", "pakn.intake.v1.IntakeService/SubmitCase") in collector.spans)
        assert not any("hoa@example.vn" in name for _, name in collector.spans)
    finally:
        server.stop(0)
