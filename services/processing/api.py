"""Processing's gRPC API: translates messages to use cases and back; no rules here."""

from __future__ import annotations

from pakn.processing.v1 import processing_pb2, processing_pb2_grpc
from runtime import limits
from runtime.identity.context import current
from runtime.messaging import as_utc, from_ts, ts
from runtime.streams import split_upload
from services.processing.app import Item, ProcessingApp, deadline_of, media_refs


def _ts(value):
    return ts(as_utc(value)) if value is not None else None


def work_item(item: Item) -> processing_pb2.WorkItem:
    r = item.row
    out = processing_pb2.WorkItem(
        assignment_id=r.assignment_id, case_id=r.case_id, unit_id=r.unit_id, status=r.status,
        handler_id=r.handler_id, content=r.content, accepted_at=_ts(r.accepted_at),
        # The deadline that applies now: the rework deadline while in rework (Đ10.4a–b).
        deadline=ts(deadline_of(r)), approval_deadline=_ts(r.approval_deadline), return_reason=r.return_reason,
        extended_to=_ts(r.extended_to), media=media_refs(r.media), clocks=item.clocks,
    )
    if r.submitted_at is not None or r.answer:
        out.result.CopyFrom(processing_pb2.Result(
            document_number=r.document_number, addressee_kind=r.addressee_kind, answer=r.answer,
            evidence_media_ids=list(r.evidence_media_ids or []), evidence=item.evidence,
            submitted_at=_ts(r.submitted_at)))
    return out


def _actor(context) -> str:
    """Who acts: the verified caller's id (runtime/identity/context.py), never a header the caller writes."""
    return current().actor_id


class ProcessingServicer(processing_pb2_grpc.ProcessingServiceServicer):
    def __init__(self, app: ProcessingApp):
        self.app = app

    def ListWorkItems(self, request, context):
        items, token = self.app.list(request.unit_id, list(request.statuses), request.page.page_size,
                                     request.page.page_token)
        return processing_pb2.ListWorkItemsResponse(work_items=[work_item(i) for i in items], next_page_token=token)

    def GetWorkItem(self, request, context):
        return processing_pb2.GetWorkItemResponse(work_item=work_item(self.app.get(request.assignment_id)))

    def AssignHandler(self, request, context):
        item = self.app.assign_handler(request.assignment_id, request.handler_id, _actor(context))
        return processing_pb2.AssignHandlerResponse(work_item=work_item(item))

    def UploadEvidence(self, request_iterator, context):
        header, chunks = split_upload(request_iterator)
        limits.raise_if_invalid(header)  # the header's limits, before any byte is stored
        return processing_pb2.UploadEvidenceResponse(media=self.app.upload_evidence(header, chunks))

    def SubmitResult(self, request, context):
        r = request.result
        item = self.app.submit_result(request.assignment_id, r.answer, r.document_number, r.addressee_kind,
                                      list(r.evidence_media_ids), _actor(context))
        return processing_pb2.SubmitResultResponse(work_item=work_item(item))

    def RequestExtension(self, request, context):
        expected = from_ts(request.expected_completion) if request.HasField("expected_completion") else None
        item = self.app.request_extension(request.assignment_id, request.reason, expected, _actor(context))
        return processing_pb2.RequestExtensionResponse(work_item=work_item(item))

    def ApproveResult(self, request, context):
        return processing_pb2.ApproveResultResponse(work_item=work_item(
            self.app.approve(request.assignment_id, _actor(context))))

    def ReturnToHandler(self, request, context):
        item = self.app.return_to_handler(request.assignment_id, request.reason, _actor(context))
        return processing_pb2.ReturnToHandlerResponse(work_item=work_item(item))

    def EditAndApproveResult(self, request, context):
        item = self.app.edit_and_approve(request.assignment_id, request.answer, _actor(context))
        return processing_pb2.EditAndApproveResultResponse(work_item=work_item(item))

    def GetPublicEvidence(self, request, context):
        for chunk in self.app.public_evidence(request.media_id):
            yield processing_pb2.GetPublicEvidenceResponse(chunk=chunk)


def register(app: ProcessingApp):
    return lambda server: processing_pb2_grpc.add_ProcessingServiceServicer_to_server(ProcessingServicer(app), server)
