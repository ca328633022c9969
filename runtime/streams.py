"""Client-streamed uploads: a header message first, then chunks (intake media, processing evidence)."""

from __future__ import annotations

from runtime.errors import InvalidArgument, Violation


def split_upload(request_iterator, header_field: str = "header"):
    """The first message of an upload stream is its header; the rest are chunks."""
    first = next(request_iterator, None)
    if first is None or first.WhichOneof("part") != header_field:
        raise InvalidArgument([Violation("header", "Thiếu phần đầu của tệp tải lên",
                                         "the first message of an upload must be its header")])

    def chunks():
        for msg in request_iterator:
            if msg.WhichOneof("part") != "chunk":
                raise InvalidArgument([Violation("chunk", "Chỉ gửi một phần đầu", "only one header is allowed")])
            yield msg.chunk

    return first.header, chunks()
