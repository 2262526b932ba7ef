"""Sending email through Amazon SES v2."""

from __future__ import annotations

from collections.abc import Sequence
from email.header import Header
from email.message import EmailMessage
from email.policy import default as email_policy
from typing import Any

from ..service.ports import Attachment, MailerError

# SES answers that mean "not now": worth trying again later.
RETRYABLE = {
    "TooManyRequestsException",
    "LimitExceededException",
    "SendingPausedException",
    "Throttling",
    "ThrottlingException",
    "ServiceUnavailable",
    "InternalFailure",
    "MailFromDomainNotVerifiedException",
    "NotFoundException",
}


def mime_message(
    sender: str, to: str, subject: str, text: str, html: str, attachments: Sequence[Attachment] = ()
) -> bytes:
    """A multipart/alternative message: the text part first, then the HTML;
    with attachments, that alternative inside a multipart/mixed, files after it.

    Python's email package refuses a header containing a line break, so no
    text from a request can add a header (``Bcc:``...) to the message."""
    message = EmailMessage(policy=email_policy)
    message["From"] = sender
    message["To"] = to
    one_line = " ".join(subject.split())
    if one_line.isascii():
        message["Subject"] = one_line
    else:
        message.set_raw("Subject", encoded_subject(one_line))
    message["Auto-Submitted"] = "auto-generated"
    # Quoted-printable keeps the raw message 7-bit ASCII, as SES asks of raw
    # mail; an 8bit body can reach a reader as "In�s".
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message.as_bytes()


def encoded_subject(subject: str) -> str:
    """A non-ASCII subject as RFC 2047 encoded words, folded under 78 columns.

    The standard library's default policy folds such a subject into one
    encoded word per word and drops the spaces between them, so a mail reader
    shows "SofíaRamírez". Here the spaces travel inside the encoded words, and
    a line break falls only between two encoded words, which readers join
    without adding or losing anything."""
    return Header(subject, "utf-8", header_name="Subject").encode(linesep="\n")


class SesMailer:
    def __init__(self, client: Any, sender: str, configuration_set: str | None = None) -> None:
        self.client = client
        self.sender = sender
        self.configuration_set = configuration_set

    def send(
        self,
        to: str,
        subject: str,
        text: str,
        html: str,
        tags: dict[str, str],
        attachments: Sequence[Attachment] = (),
    ) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        request: dict[str, Any] = {
            "FromEmailAddress": self.sender,
            "Destination": {"ToAddresses": [to]},
            "Content": {"Raw": {"Data": mime_message(self.sender, to, subject, text, html, attachments)}},
            "EmailTags": [{"Name": k, "Value": v} for k, v in sorted(tags.items())],
        }
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        try:
            response = self.client.send_email(**request)
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", "ClientError"))
            status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
            raise MailerError(code, code in RETRYABLE or status >= 500 or status == 429) from None
        except BotoCoreError as error:
            raise MailerError(type(error).__name__, retryable=True) from None
        return str(response.get("MessageId", ""))
