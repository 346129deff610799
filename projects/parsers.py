"""The API reads JSON only, and refuses text that no database can store."""

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


def _check_text(value) -> None:
    # JSON escapes can spell lone surrogates ("\ud800") and NUL, which json.loads accepts
    # but neither UTF-8 encoding nor PostgreSQL text can hold: refuse them here, once.
    if isinstance(value, str):
        if "\x00" in value:
            raise ParseError(_("Le texte ne peut pas contenir le caractère NUL."))
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ParseError(_("Le texte contient des caractères Unicode invalides.")) from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)
    elif isinstance(value, list):
        for item in value:
            _check_text(item)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, plus the refusal of unstorable text (a 400, never a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(_("Le corps de la requête est trop volumineux."))
        try:
            data = json.loads(raw.decode(encoding), parse_constant=_refuse_constant)
            _check_text(data)
        except (ValueError, UnicodeDecodeError, LookupError) as exc:
            raise ParseError(_("JSON invalide : %(error)s") % {"error": exc}) from None
        except RecursionError:
            raise ParseError(_("JSON trop profondément imbriqué.")) from None
        return data


def _refuse_constant(name: str):
    raise ValueError(_("%(name)s n'est pas du JSON valide") % {"name": name})
