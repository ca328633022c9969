"""The SMTP server of the e-mail channel and what it does with each message.

For every message to the configured recipient: parse it (parse.py), upload its images, videos and
PDFs with intake's UploadMedia, submit it with SubmitCase (channel e-mail, external id = Message-ID),
answer the sender by e-mail (replies.py), and only then say 250 to the sending server. When intake
cannot be reached, or the answer cannot be sent, the SMTP answer is 451: the sending server retries
later, and the retry is the same submission for intake (duplicate = true).

A retried message must make the very same SubmitCase request, or intake would refuse it as another
submission with the same Message-ID. Its text is the same; its attachments would get new media ids
if uploaded again, so the gateway remembers which media id each attachment of each message got
(`UploadMemo`, a small SQLite file: hashes and ids only).

Logs carry Message-IDs, case ids and outcomes; never the sender's address, name or content.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import grpc
from prometheus_client import Counter

from gateways.email import replies
from gateways.email.parse import Attachment, Inbound, parse
from runtime.clients import Clients
from runtime.config import Config, ConfigError
from runtime.errors import field_violations
from runtime.identity.oauth_client import OAuthClientError

log = logging.getLogger(__name__)

SMTP_OK = "250 2.0.0 OK: message received"
SMTP_IGNORED = "250 2.0.0 OK: automatic message, not answered"
SMTP_RETRY = "451 4.3.0 Service temporarily unavailable, try again later"
SMTP_SHUTTING_DOWN = "451 4.3.2 Shutting down, try again later"
SMTP_BAD_RECIPIENT = "550 5.1.1 Recipient not accepted here"
SMTP_NO_SENDER = "550 5.1.7 The From header has no valid address"


def recipients(setting: str) -> list[str]:
    """The accepted recipients: lower-case addresses, and domains written "@domain"."""
    return [r.strip().lower() for r in setting.split(",") if r.strip()]


def accepted(address: str, allowed: list[str]) -> bool:
    address = address.strip().lower()
    domain = "@" + address.rsplit("@", 1)[-1] if "@" in address else None
    return address in allowed or (domain is not None and domain in allowed)


class UploadMemo:
    """Media ids already given to a message's attachments, kept long enough for any SMTP retry."""

    KEEP_SECONDS = 10 * 24 * 3600

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("CREATE TABLE IF NOT EXISTS uploads (message_key TEXT NOT NULL, position INTEGER NOT NULL, "
                         "sha256 TEXT NOT NULL, media_id TEXT NOT NULL, created_at REAL NOT NULL, "
                         "PRIMARY KEY (message_key, position, sha256))")
        self._db.execute("DELETE FROM uploads WHERE created_at < ?", (time.time() - self.KEEP_SECONDS,))

    def get(self, key: str, position: int, sha256: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT media_id FROM uploads WHERE message_key = ? AND position = ? "
                                   "AND sha256 = ?", (key, position, sha256)).fetchone()
        return row[0] if row else None

    def put(self, key: str, position: int, sha256: str, media_id: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO uploads VALUES (?, ?, ?, ?, ?)",
                             (key, position, sha256, media_id, time.time()))

    def forget(self, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM uploads WHERE message_key = ?", (key,))

    def close(self) -> None:
        with self._lock:
            self._db.close()


@dataclass
class _Uploads:
    media_ids: list[str] = field(default_factory=list)
    # (file name, why) of the files intake did not take, or that are not media at all.
    not_received: list[tuple[str, str]] = field(default_factory=list)
    remembered: bool = False


class _Retry(Exception):
    """Intake (or the outgoing mail) is not available now: answer 451."""


def service_account(config: Config):
    """The gateway's TokenSource: its e-mail channel service account, by the client-credentials grant.

    The token is cached and fetched again shortly before it ends (runtime/identity/oauth_client.py).
    """
    from runtime.identity.oauth_client import ClientCredentials

    g, identity = config.email_gateway, config.identity
    if not g.client_id or not g.client_secret:
        raise ConfigError("email_gateway.client_id and email_gateway.client_secret: the gateway's service account "
                          "(pakn admin create-client email-gateway --role channel --channel email)")
    issuer = g.token_issuer or (identity.embedded_issuer if identity.embedded else
                                next((i.strip() for i in identity.issuers.split(",") if i.strip()), ""))
    if not issuer:
        raise ConfigError("email_gateway.token_issuer: no issuer to ask for the gateway's tokens")
    return ClientCredentials(issuer, g.client_id, g.client_secret)


class EmailGateway:
    """The `email-gateway` module: an aiosmtpd server in its own thread, intake over gRPC."""

    def __init__(self, config: Config, telemetry, mailer):
        g = config.email_gateway
        self.config, self.telemetry, self.mailer = config, telemetry, mailer
        self.allowed = recipients(g.recipient)
        if not self.allowed:
            raise ConfigError("email_gateway.recipient: at least one address or @domain is required")
        # Where the replies tell people to write: the first full address, else the setting itself.
        self.address = next((r for r in self.allowed if not r.startswith("@")), self.allowed[0])
        self.memo = UploadMemo(Path(g.state_dir or config.data_path / "email-gateway") / "uploads.sqlite3")
        self.clients = Clients(config, token=service_account(config))
        self.messages = Counter("pakn_email_gateway_messages_total", "Inbound e-mails by outcome", ["outcome"],
                                registry=telemetry.registry)
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="email-gateway")
        self._controller = None
        self._inflight = 0
        self._idle = threading.Condition()
        self.stopping = False

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> None:
        from aiosmtpd.controller import Controller

        # aiosmtpd logs envelope addresses at INFO: keep only its warnings.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        g = self.config.email_gateway
        self._controller = Controller(_Handler(self), hostname=g.host, port=g.port,
                                      data_size_limit=g.max_message_bytes, ident="PAKN 1022 e-mail gateway")
        self._controller.start()
        log.info("e-mail gateway listening on %s:%s, intake at %s", g.host, g.port,
                 self.config.client_address("intake"))

    def stop(self) -> None:
        """Refuse new messages, let those being handled finish (server.grace_seconds), then close."""
        self.stopping = True
        controller, self._controller = self._controller, None
        if controller is not None:
            if controller.server is not None:
                controller.loop.call_soon_threadsafe(controller.server.close)
            deadline = time.monotonic() + self.config.server.grace_seconds
            with self._idle:
                while self._inflight and time.monotonic() < deadline:
                    self._idle.wait(deadline - time.monotonic())
                if self._inflight:
                    log.warning("e-mail gateway stopping with %d message(s) unanswered", self._inflight)
            controller.stop()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.clients.close()
        self.memo.close()

    def _enter(self) -> None:
        with self._idle:
            self._inflight += 1

    def _leave(self) -> None:
        with self._idle:
            self._inflight -= 1
            self._idle.notify_all()

    # -- one message ---------------------------------------------------------------------------
    def receive(self, raw: bytes, mail_from: str) -> str:
        """Handle one message; the SMTP answer to give. Runs in a worker thread."""
        try:
            inbound = parse(raw)
        except Exception as exc:  # noqa: BLE001 - a message we cannot read is refused, never a crash
            log.warning("message could not be parsed (%s)", type(exc).__name__)
            return self._done("unreadable", "550 5.6.0 The message could not be read")
        ref = inbound.message_id or f"(no Message-ID, sha256 {inbound.digest[:16]})"
        with self.telemetry.span("email-gateway/receive", attributes={"pakn.message_id": ref}) as span:
            status = self._handle(inbound, mail_from, ref)
            span.set_attribute("smtp.status", int(status[:3]))
            return status

    def _handle(self, inbound: Inbound, mail_from: str, ref: str) -> str:
        if inbound.automatic or mail_from in ("", "<>"):
            log.info("message %s: automatic (bounce or auto-reply), ignored", ref)
            return self._done("ignored", SMTP_IGNORED)
        if not inbound.sender:
            log.info("message %s: no sender address, refused", ref)
            return self._done("no_sender", SMTP_NO_SENDER)
        try:
            outcome, reply, case_id = self._submit(inbound)
        except _Retry as exc:
            log.warning("message %s: intake answered %s, the sender will retry", ref, exc)
            return self._done("retry", SMTP_RETRY)
        except OAuthClientError as exc:
            # The issuer is away or refuses the service account: the message waits at the sender.
            log.warning("message %s: no token for the gateway's service account (%s), the sender will retry",
                        ref, exc.error)
            return self._done("retry", SMTP_RETRY)
        try:
            self.mailer.send(inbound.sender, reply.subject, reply.body, headers={"Auto-Submitted": "auto-replied"})
        except Exception as exc:  # noqa: BLE001 - any mail failure: the sending server retries
            log.warning("message %s: %s, but the reply could not be sent (%s); the sender will retry",
                        ref, outcome, type(exc).__name__)
            return self._done("retry", SMTP_RETRY)
        log.info("message %s: %s%s", ref, outcome, f", case {case_id}" if case_id else "")
        return self._done(outcome, SMTP_OK)

    def _done(self, outcome: str, status: str) -> str:
        self.messages.labels(outcome).inc()
        return status

    def _submit(self, inbound: Inbound) -> tuple[str, replies.Reply, str]:
        """(outcome, reply, case id) of submitting the message; raises _Retry when intake is away."""
        from pakn.common.v1 import common_pb2
        from pakn.intake.v1 import intake_pb2

        key = inbound.external_id or ""
        memo_key = hashlib.sha256((f"mid:{key}" if key else f"raw:{inbound.digest}").encode()).hexdigest()
        for attempt in (1, 2):
            uploads = self._upload_all(inbound, memo_key)
            request = intake_pb2.SubmitCaseRequest(
                channel=common_pb2.CHANNEL_EMAIL, external_id=key, request_id="" if key else inbound.digest,
                content=inbound.content, media_ids=uploads.media_ids,
                location=common_pb2.Location(address=inbound.place),
                submitter=intake_pb2.Submitter(full_name=inbound.full_name, phone=inbound.phone,
                                               email=inbound.sender))
            if inbound.written_at is not None:
                # Đ6.2: the time of the issue; a citizen writes about what is happening now.
                request.occurred_at.FromDatetime(min(inbound.written_at, datetime.now(timezone.utc)))
            try:
                response, call = self.clients.intake.SubmitCase.with_call(request)
            except grpc.RpcError as err:
                code = err.code()
                if code == grpc.StatusCode.INVALID_ARGUMENT:
                    problems = [replies.Problem(v.field, v.localized_message.message or v.description.split(" / ")[0])
                                for v in field_violations(err)]
                    if attempt == 1 and uploads.remembered and problems and all(
                            p.field.startswith("media_ids") for p in problems):
                        # Remembered media ids intake no longer has: upload the files again.
                        self.memo.forget(memo_key)
                        continue
                    return "invalid", replies.missing(problems, self.address, uploads.not_received), ""
                if code == grpc.StatusCode.ALREADY_EXISTS:
                    return "already_exists", replies.already_used(), ""
                # UNAVAILABLE, DEADLINE_EXCEEDED, and anything unexpected: the message is not lost,
                # the sending server keeps it and retries (and bounces it after its own retry period).
                raise _Retry(code.name) from None
            emergency = dict(call.trailing_metadata() or ()).get("pakn-emergency-number", "")
            if response.duplicate:
                return "duplicate", replies.duplicate(response.tracking_code, emergency), response.case_id
            return ("received", replies.received(response.tracking_code, emergency, uploads.not_received),
                    response.case_id)
        raise AssertionError("unreachable")

    def _upload_all(self, inbound: Inbound, memo_key: str) -> _Uploads:
        out = _Uploads(not_received=[(name, "không phải ảnh, video hoặc tệp PDF") for name in inbound.skipped])
        for position, attachment in enumerate(inbound.attachments):
            digest = attachment.sha256
            media_id = self.memo.get(memo_key, position, digest)
            if media_id:
                out.remembered = True
            else:
                try:
                    media_id = self._upload(attachment)
                except grpc.RpcError as err:
                    if err.code() != grpc.StatusCode.INVALID_ARGUMENT:
                        raise _Retry(err.code().name) from None
                    why = "; ".join(v.localized_message.message or v.description for v in field_violations(err))
                    out.not_received.append((attachment.filename, why or "tệp không hợp lệ"))
                    continue
                self.memo.put(memo_key, position, digest, media_id)
            out.media_ids.append(media_id)
        return out

    def _upload(self, attachment: Attachment) -> str:
        from pakn.common.v1 import common_pb2
        from pakn.intake.v1 import intake_pb2

        chunk = max(1, self.config.media.chunk_bytes)

        def requests():
            yield intake_pb2.UploadMediaRequest(header=common_pb2.MediaUploadHeader(
                filename=attachment.filename, declared_content_type=attachment.content_type))
            data = memoryview(attachment.data)
            for start in range(0, len(data), chunk):
                yield intake_pb2.UploadMediaRequest(chunk=bytes(data[start:start + chunk]))

        return self.clients.intake.UploadMedia(requests()).media.media_id


class _Handler:
    """aiosmtpd hooks: recipients are checked at RCPT, messages handled in a worker thread at DATA."""

    def __init__(self, gateway: EmailGateway):
        self.gateway = gateway

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.gateway.stopping:
            return SMTP_SHUTTING_DOWN
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not accepted(address, self.gateway.allowed):
            return SMTP_BAD_RECIPIENT
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        gateway = self.gateway
        if gateway.stopping:
            return SMTP_SHUTTING_DOWN
        gateway._enter()
        try:
            raw = envelope.original_content or envelope.content or b""
            if isinstance(raw, str):
                raw = raw.encode("utf-8", errors="surrogateescape")
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(gateway._pool, gateway.receive, raw, envelope.mail_from or "")
        except Exception as exc:  # noqa: BLE001 - never let aiosmtpd log the exception's text
            log.error("message handling failed (%s)", type(exc).__name__)
            return SMTP_RETRY
        finally:
            gateway._leave()
