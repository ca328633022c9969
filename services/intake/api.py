"""Intake's gRPC API: translates messages to use cases and back; no rules here."""

from __future__ import annotations

from pakn.common.v1 import common_pb2
from pakn.intake.v1 import intake_pb2, intake_pb2_grpc
from runtime import limits
from runtime.identity.context import current
from runtime.lookup_limits import lookup_source
from runtime.messaging import as_utc, ts
from runtime.streams import split_upload
from services.intake import domain
from services.intake.app import IntakeApp


class IntakeServicer(intake_pb2_grpc.IntakeServiceServicer):
    def __init__(self, app: IntakeApp):
        self.app = app

    def SubmitCase(self, request, context):
        s = self.app.submit(request)
        # Đ6.5e: an emergency is answered at once with the number to call.
        return intake_pb2.SubmitCaseResponse(
            case_id=s.case_id, tracking_code=s.tracking_code, received_at=ts(s.received_at),
            screening_flags=s.flags, duplicate=s.duplicate, emergency_number=s.emergency_number,
            findings=[common_pb2.ScreeningFinding(**f) for f in s.findings],
            text_repaired_from=s.text_repaired_from, location=s.location)

    def UploadMedia(self, request_iterator, context):
        header, chunks = split_upload(request_iterator)
        limits.raise_if_invalid(header)  # the header's limits, before any byte is stored
        return intake_pb2.UploadMediaResponse(media=self.app.upload_media(header, chunks))

    def DownloadMedia(self, request, context):
        for chunk in self.app.download_media(request.media_id):
            yield intake_pb2.DownloadMediaResponse(chunk=chunk)

    def GetCaseStatus(self, request, context):
        row = self.app.status(request.tracking_code, request.contact, lookup_source(context))
        return intake_pb2.GetCaseStatusResponse(
            tracking_code=row.tracking_code, status=row.status, received_at=ts(as_utc(row.received_at)),
            updated_at=ts(as_utc(row.updated_at)), channel=row.channel)

    def DiscloseSubmitter(self, request, context):
        contact, record = self.app.disclose(request.case_id, request.requesting_body, request.reason,
                                            current().actor_id)
        return intake_pb2.DiscloseSubmitterResponse(
            submitter=intake_pb2.Submitter(**contact) if contact else None,
            disclosure_id=record["disclosure_id"], status=_STATUS[record["status"]])

    def ApproveDisclosure(self, request, context):
        contact, record = self.app.approve_disclosure(request.disclosure_id, current().actor_id)
        return intake_pb2.ApproveDisclosureResponse(submitter=intake_pb2.Submitter(**contact),
                                                    disclosure=disclosure_message(record))

    def RefuseDisclosure(self, request, context):
        record = self.app.refuse_disclosure(request.disclosure_id, request.reason, current().actor_id)
        return intake_pb2.RefuseDisclosureResponse(disclosure=disclosure_message(record))

    def ListDisclosures(self, request, context):
        rows, token = self.app.list_disclosures(request.case_id, request.page)
        return intake_pb2.ListDisclosuresResponse(disclosures=[disclosure_message(r) for r in rows],
                                                  next_page_token=token)


_STATUS = {
    domain.PENDING: intake_pb2.DISCLOSURE_STATUS_PENDING_APPROVAL,
    domain.DISCLOSED: intake_pb2.DISCLOSURE_STATUS_DISCLOSED,
    domain.REFUSED: intake_pb2.DISCLOSURE_STATUS_REFUSED,
}


def disclosure_message(r: dict) -> intake_pb2.Disclosure:
    """A disclosure record as listed: who, for whom, why, when, the status; never the contact."""
    def when(value):
        return ts(as_utc(value)) if value is not None else None

    return intake_pb2.Disclosure(
        disclosure_id=r["disclosure_id"], case_id=r["case_id"], requesting_body=r["requesting_body"],
        reason=r["reason"], requested_by=r["requested_by"], requested_at=when(r["requested_at"]),
        status=_STATUS.get(r["status"], intake_pb2.DISCLOSURE_STATUS_UNSPECIFIED),
        confidential=bool(r["confidential"]), decided_by=r["decided_by"], decided_at=when(r["decided_at"]),
        disclosed_at=when(r["disclosed_at"]), refusal_reason=r["refusal_reason"])


def register(app: IntakeApp):
    return lambda server: intake_pb2_grpc.add_IntakeServiceServicer_to_server(IntakeServicer(app), server)

