"""Standard Webhooks signing: the secrets, the body and the three headers.

``webhook-signature`` is ``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``, one per secret
in force separated by spaces (the specification's way through a rotation), computed by the
``standardwebhooks`` library that receivers use to verify.
"""

import base64
import json
import secrets
from datetime import UTC, datetime

from django.core.serializers.json import DjangoJSONEncoder
from standardwebhooks import Webhook

from projects.events import payload
from projects.models import ProjectEvent

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def new_message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def body_of(event: ProjectEvent) -> bytes:
    """The Standard Webhooks envelope ``{type, timestamp, data}`` whose ``data`` is the
    event exactly as the real-time stream sends it (``{type, seq, id, project, at,
    data}``), built from the stored event when it is sent: a comment deleted since is a
    tombstone here too."""
    envelope = {"type": event.type, "timestamp": event.at, "data": payload(event)}
    return json.dumps(
        envelope, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
    ).encode()


def headers_for(*, message_id: str, body: bytes, signing: list[str], at: datetime) -> dict:
    """The three headers of one attempt at ``at``, signed with every secret of ``signing``."""
    at = at.astimezone(UTC)
    text = body.decode()
    signature = " ".join(Webhook(secret).sign(message_id, at, text) for secret in signing)
    return {
        "Content-Type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }
