"""Outgoing e-mail and SMS.

`FileMailer` writes each message as an .eml file a newcomer can open (monolithic mode);
`SmtpMailer` talks to a real SMTP server. `FileSms` writes one text file per SMS (an SMPP gateway
comes with the notification issue).
"""

from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str, headers: dict[str, str] | None = None) -> str: ...


def build_message(sender: str, to: str, subject: str, body: str, cte: str = "quoted-printable",
                  headers: dict[str, str] | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{uuid.uuid4()}@pakn>"
    # Every message the platform sends is automatic (RFC 3834): no auto-reply loops.
    msg["Auto-Submitted"] = "auto-generated"
    for name, value in (headers or {}).items():
        del msg[name]
        msg[name] = value
    msg.set_content(body, charset="utf-8", cte=cte)
    return msg


class FileMailer:
    def __init__(self, folder: Path, sender: str):
        self.folder, self.sender = folder, sender
        self.folder.mkdir(parents=True, exist_ok=True)

    def send(self, to: str, subject: str, body: str, headers: dict[str, str] | None = None) -> str:
        # 8bit: the Vietnamese text stays readable in any editor.
        msg = build_message(self.sender, to, subject, body, cte="8bit", headers=headers)
        name = f"{uuid.uuid4()}.eml"
        tmp = self.folder / f".{name}"
        tmp.write_bytes(bytes(msg))
        tmp.rename(self.folder / name)
        return msg["Message-ID"]


class SmtpMailer:
    def __init__(self, host: str, port: int, sender: str, user: str = "", password: str = "",
                 starttls: bool = False, timeout: float = 10.0):
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password, self.starttls, self.timeout = user, password, starttls, timeout

    def send(self, to: str, subject: str, body: str, headers: dict[str, str] | None = None) -> str:
        msg = build_message(self.sender, to, subject, body, headers=headers)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(msg)
        return msg["Message-ID"]


class FileSms:
    def __init__(self, folder: Path):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)

    def send(self, to: str, text: str) -> str:
        ident = str(uuid.uuid4())
        (self.folder / f"{ident}.txt").write_text(f"To: {to}\n\n{text}\n", encoding="utf-8")
        return ident
