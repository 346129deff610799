"""Checks on outside input that every interface shares: ids, sequence numbers, JSON documents
and the text inside them.

The API's JSON parser and the project socket's frames both decode through ``decode_json``
and pick their fields with ``only_fields``, so a value one refuses the other refuses too.
"""

import json

from django.utils.translation import gettext as _

from .errors import Invalid

# Primary keys are 64-bit (BigAutoField); anything larger cannot name a row, and SQLite
# cannot even bind it as a parameter.
MAX_ID = 2**63 - 1
# JSON deeper than this is nobody's honest input (the deepest body the API takes has three
# levels); refusing it early keeps recursion out of every later step.
MAX_DEPTH = 32


def parse_id(raw) -> int | None:
    """A positive database id from URL text, or None. ``str.isdigit`` alone is not enough:
    it accepts Unicode digits such as "²" that ``int`` refuses."""
    value = parse_seq(raw)
    return value if value else None


def parse_seq(raw) -> int | None:
    """A non-negative integer (a ``seq`` or an id) from text, or None."""
    if not isinstance(raw, str) or not (raw.isascii() and raw.isdigit()) or len(raw) > 19:
        return None
    value = int(raw)
    return value if value <= MAX_ID else None


def is_id(value) -> bool:
    """True for an int (not a bool) that can be a primary key."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def check_text(value) -> None:
    """Refuse (Invalid) what no database can store in decoded JSON: NUL characters and lone
    surrogates, which ``json.loads`` accepts but neither UTF-8 nor PostgreSQL text can hold
    (code ``bad_text``), and nesting deeper than ``MAX_DEPTH`` (code ``too_deep``).
    Iterative, so no input exhausts the stack."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise Invalid(detail=_("JSON trop profondément imbriqué."), code="too_deep")
        if isinstance(item, str):
            if "\x00" in item:
                raise Invalid(
                    detail=_("Le texte ne peut pas contenir le caractère NUL."), code="bad_text"
                )
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise Invalid(
                    detail=_("Le texte contient des caractères Unicode invalides."),
                    code="bad_text",
                ) from None
        elif isinstance(item, dict):
            pending.extend((key, depth) for key in item)
            pending.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            pending.extend((child, depth + 1) for child in item)


def _refuse_constant(name: str):
    raise ValueError(_("%(name)s n'est pas du JSON valide") % {"name": name})


def decode_json(text: str):
    """The JSON document ``text``; Invalid with code ``bad_json``, ``too_deep`` or
    ``bad_text`` and the reason otherwise."""
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise Invalid(detail=_("JSON trop profondément imbriqué."), code="too_deep") from None
    except ValueError as exc:
        raise Invalid(
            detail=_("JSON invalide : %(error)s") % {"error": exc}, code="bad_json"
        ) from None
    check_text(data)
    return data


def only_fields(data, allowed: set[str]) -> dict:
    """The fields of a JSON object, refusing any the endpoint does not know (a 400 in the
    API, an error frame on the socket)."""
    if not isinstance(data, dict):
        raise Invalid({"non_field_errors": [_("Un objet JSON est attendu.")]})
    unknown = set(data) - allowed
    if unknown:
        raise Invalid({name: [_("Champ inconnu.")] for name in sorted(unknown)})
    return {name: data[name] for name in allowed if name in data}
