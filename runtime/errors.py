"""Errors every service raises, and how they become gRPC statuses.

Application code raises these; the error-mapping interceptor turns them into a status code with
`google.rpc` details (`BadRequest` field violations, `LocalizedMessage` in Vietnamese and English).
Any other exception becomes INTERNAL with a generic message: exception text never reaches a caller.
"""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2


@dataclass(frozen=True)
class Violation:
    """One problem with one field, said in Vietnamese and English."""

    field: str
    vi: str
    en: str


class DomainError(Exception):
    code: grpc.StatusCode = grpc.StatusCode.UNKNOWN

    def __init__(self, vi: str, en: str, reason: str = "", metadata: dict[str, str] | None = None):
        super().__init__(en)
        self.vi = vi
        self.en = en
        # A machine-readable reason and facts for the caller's front-end (google.rpc.ErrorInfo).
        self.reason = reason
        self.metadata = dict(metadata or {})


class InvalidArgument(DomainError):
    code = grpc.StatusCode.INVALID_ARGUMENT

    def __init__(self, violations: list[Violation], vi: str = "Dữ liệu không hợp lệ", en: str = "Invalid request"):
        super().__init__(vi, en)
        from runtime.limits import cap

        # One violation per field, and few enough that the status fits in a gRPC trailer.
        self.violations = cap(list(violations))


class NotFound(DomainError):
    code = grpc.StatusCode.NOT_FOUND


class FailedPrecondition(DomainError):
    code = grpc.StatusCode.FAILED_PRECONDITION


class AlreadyExists(DomainError):
    code = grpc.StatusCode.ALREADY_EXISTS


class PermissionDenied(DomainError):
    code = grpc.StatusCode.PERMISSION_DENIED


class Unavailable(DomainError):
    code = grpc.StatusCode.UNAVAILABLE


class Unauthenticated(DomainError):
    code = grpc.StatusCode.UNAUTHENTICATED


class ResourceExhausted(DomainError):
    code = grpc.StatusCode.RESOURCE_EXHAUSTED

    def __init__(self, vi: str, en: str, reason: str = "", metadata: dict[str, str] | None = None,
                 retry_after: float | None = None):
        super().__init__(vi, en, reason, metadata)
        # When the caller may try again (google.rpc.RetryInfo), in seconds.
        self.retry_after = retry_after


class Validator:
    """Collects every violation of a request, then raises them together."""

    def __init__(self) -> None:
        self.violations: list[Violation] = []

    def add(self, field: str, vi: str, en: str) -> None:
        self.violations.append(Violation(field, vi, en))

    def require(self, value: object, field: str, vi_name: str, en_name: str) -> None:
        if value is None or (isinstance(value, str) and not value.strip()) or value == []:
            self.add(field, f"Thiếu {vi_name}", f"{en_name} is required")

    def raise_if_any(self) -> None:
        if self.violations:
            raise InvalidArgument(self.violations)


def to_status(error: DomainError) -> status_pb2.Status:
    details = [
        error_details_pb2.LocalizedMessage(locale="vi-VN", message=error.vi[:500]),
        error_details_pb2.LocalizedMessage(locale="en-US", message=error.en[:500]),
    ]
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        from google.protobuf import duration_pb2

        delay = duration_pb2.Duration()
        delay.FromMilliseconds(int(retry_after * 1000))
        details.append(error_details_pb2.RetryInfo(retry_delay=delay))
    if error.reason:
        details.append(error_details_pb2.ErrorInfo(reason=error.reason, domain="pakn", metadata=error.metadata))
    if isinstance(error, InvalidArgument):
        details.append(
            error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(
                        field=v.field,
                        description=f"{v.vi} / {v.en}",
                        localized_message=error_details_pb2.LocalizedMessage(locale="vi-VN", message=v.vi),
                    )
                    for v in error.violations
                ]
            )
        )
    packed = []
    for detail in details:
        holder = any_pb2.Any()
        holder.Pack(detail)
        packed.append(holder)
    # Bounded whatever a message holds: the status travels in a trailer.
    return status_pb2.Status(code=error.code.value[0], message=f"{error.vi[:500]} / {error.en[:500]}",
                             details=packed)


INTERNAL_STATUS = status_pb2.Status(
    code=code_pb2.INTERNAL,
    message="Lỗi hệ thống, vui lòng thử lại sau / Internal error, please try again later",
)


def error_info(rpc_error: grpc.RpcError) -> error_details_pb2.ErrorInfo | None:
    """The ErrorInfo detail of an error received by a client, if any."""
    from grpc_status import rpc_status

    status = rpc_status.from_call(rpc_error)
    for detail in status.details if status else ():
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info
    return None


def field_violations(rpc_error: grpc.RpcError) -> list[error_details_pb2.BadRequest.FieldViolation]:
    """The BadRequest field violations of an error received by a client."""
    from grpc_status import rpc_status

    status = rpc_status.from_call(rpc_error)
    out = []
    if status is None:
        return out
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            out.extend(bad.field_violations)
    return out
