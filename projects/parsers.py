"""The API reads JSON only, and refuses text that no database can store."""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from .errors import Invalid
from .inputs import decode_json


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the checks the project socket applies to its frames too
    (``inputs.decode_json``): unstorable text and deep nesting are a 400, never a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(_("Le corps de la requête est trop volumineux."))
        try:
            return decode_json(raw.decode(encoding))
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(_("JSON invalide : %(error)s") % {"error": exc}) from None
        except Invalid as exc:
            raise ParseError(exc.detail) from None
