"""The publiccode.yml rules, in one place: parse a file safely, validate a document against
the mandatory keys of the standard, and build a project's document.

``validate`` is what every reader applies (the project export here, the repository scanner
later): it returns named failures, never raises. ``parse`` refuses what a hostile file could
do to a YAML parser (huge files, alias bombs, deep nesting) with a clear reason.
Reference: https://yml.publiccode.tools/ (publiccodeYmlVersion "0.4").
"""

import functools
import re
from dataclasses import dataclass

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from license_expression import get_spdx_licensing

VERSION = "0.4"
MAX_BYTES = 512 * 1024  # the largest publiccode.yml read; real ones are a few kilobytes
MAX_EVENTS = 20_000  # YAML events (scalars, mappings, sequences) in one file
MAX_DEPTH = 20  # nesting of mappings and sequences
SHORT_MAX = 150
LONG_MIN, LONG_MAX = 150, 10_000

DEVELOPMENT_STATUSES = ("concept", "development", "beta", "stable", "obsolete")
SOFTWARE_TYPES = (
    "standalone/mobile",
    "standalone/iot",
    "standalone/desktop",
    "standalone/web",
    "standalone/backend",
    "standalone/other",
    "addon",
    "library",
    "configurationFiles",
)
MAINTENANCE_TYPES = ("internal", "contract", "community", "none")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
VERSION_PATTERN = re.compile(r"^0(\.\d+){0,2}$")


@dataclass(frozen=True)
class Failure:
    """One broken rule: the dotted key (``description.fr.longDescription``), a stable code
    (``missing``, ``type``, ``too_short``, ``too_long``, ``invalid``) and a sentence."""

    key: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"key": self.key, "code": self.code, "detail": self.message}


class ParseError(Exception):
    """A file that is not a publiccode.yml one can read; ``reason`` says why."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def parse(content: str | bytes) -> dict:
    """The document in ``content``, read with ``yaml.safe_load`` after a streaming pass that
    refuses aliases, files over ``MAX_BYTES``, more than ``MAX_EVENTS`` nodes and nesting
    deeper than ``MAX_DEPTH``: the shapes that make a YAML parser eat memory or stack."""
    size = len(content.encode() if isinstance(content, str) else content)
    if size > MAX_BYTES:
        raise ParseError(
            _("Le fichier fait %(size)s octets : %(max)s au plus.")
            % {"size": size, "max": MAX_BYTES}
        )
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError:
            raise ParseError(_("Le fichier n'est pas encodé en UTF-8.")) from None
    if not content.strip():
        raise ParseError(_("Le fichier est vide."))
    depth = events = 0
    try:
        for event in yaml.parse(content, Loader=yaml.SafeLoader):
            events += 1
            if events > MAX_EVENTS:
                raise ParseError(_("Le fichier a plus de %(max)s éléments.") % {"max": MAX_EVENTS})
            if isinstance(event, yaml.AliasEvent):
                raise ParseError(
                    _("Les alias YAML (*nom) ne sont pas acceptés (ligne %(line)s).")
                    % {"line": event.start_mark.line + 1}
                )
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise ParseError(
                        _("Le fichier imbrique plus de %(max)s niveaux.") % {"max": MAX_DEPTH}
                    )
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
        document = yaml.safe_load(content)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = _(" (ligne %(line)s)") % {"line": mark.line + 1} if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ParseError(
            _("YAML illisible%(where)s : %(problem)s.") % {"where": where, "problem": problem}
        ) from None
    if not isinstance(document, dict):
        raise ParseError(
            _("Le fichier doit contenir un dictionnaire de clés (publiccodeYmlVersion, name...).")
        )
    return document


def dump(document: dict, *, comments: list[str] = ()) -> str:
    """The document as YAML text, keys in the standard's order, with ``comments`` on top."""
    head = "".join(f"# {line}\n" for line in comments)
    return head + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


def validate(document) -> list[Failure]:
    """Every mandatory key of the standard checked; an empty list means valid."""
    if not isinstance(document, dict):
        return [Failure("", "type", _("Le document doit être un dictionnaire de clés."))]
    failures: list[Failure] = []
    check = _Checker(failures)
    version = check.string(document, "publiccodeYmlVersion")
    if version is not None and not VERSION_PATTERN.match(version):
        check.fail(
            "publiccodeYmlVersion", "invalid", _("Version inconnue : « %(v)s ».") % {"v": version}
        )
    check.string(document, "name")
    url = check.string(document, "url")
    if url is not None:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            check.fail("url", "invalid", _("Une adresse http(s) du dépôt est attendue."))
    check.strings(document, "platforms")
    check.choice(document, "developmentStatus", DEVELOPMENT_STATUSES)
    check.choice(document, "softwareType", SOFTWARE_TYPES)
    _validate_description(document, check)
    legal = check.mapping(document, "legal")
    if legal is not None:
        licence = check.string(legal, "license", prefix="legal.")
        if licence is not None:
            problems = spdx_problems(licence)
            if problems:
                check.fail("legal.license", "invalid", problems)
    maintenance = check.mapping(document, "maintenance")
    if maintenance is not None:
        kind = check.choice(maintenance, "type", MAINTENANCE_TYPES, prefix="maintenance.")
        if kind == "contract":
            check.people(maintenance, "contractors", needs=("name", "until"))
        elif kind in ("internal", "community"):
            check.people(maintenance, "contacts", needs=("name",))
    localisation = check.mapping(document, "localisation")
    if localisation is not None:
        if "localisationReady" not in localisation:
            check.missing("localisation.localisationReady")
        elif not isinstance(localisation["localisationReady"], bool):
            check.fail("localisation.localisationReady", "type", _("true ou false est attendu."))
        check.strings(localisation, "availableLanguages", prefix="localisation.")
    return failures


def _validate_description(document: dict, check: "_Checker") -> None:
    descriptions = check.mapping(document, "description")
    if descriptions is None:
        return
    if not descriptions:
        check.fail("description", "missing", _("Au moins une langue est attendue (fr, en...)."))
    for language, description in descriptions.items():
        prefix = f"description.{language}."
        if not isinstance(language, str) or not LANGUAGE.match(language):
            check.fail(f"description.{language}", "invalid", _("Code de langue inconnu."))
            continue
        if not isinstance(description, dict):
            check.fail(f"description.{language}", "type", _("Un dictionnaire est attendu."))
            continue
        short = check.string(description, "shortDescription", prefix=prefix)
        if short is not None and len(short) > SHORT_MAX:
            check.fail(
                prefix + "shortDescription",
                "too_long",
                _("%(n)s caractères : %(max)s au plus.") % {"n": len(short), "max": SHORT_MAX},
            )
        long = check.string(description, "longDescription", prefix=prefix)
        if long is not None and not LONG_MIN <= len(long) <= LONG_MAX:
            check.fail(
                prefix + "longDescription",
                "too_short" if len(long) < LONG_MIN else "too_long",
                _("%(n)s caractères : entre %(min)s et %(max)s attendus.")
                % {"n": len(long), "min": LONG_MIN, "max": LONG_MAX},
            )
        check.strings(description, "features", prefix=prefix)


def spdx_problems(expression: str) -> str:
    """Why ``expression`` is not a valid SPDX licence expression ("" when it is)."""
    try:
        errors = _licensing().validate(expression, strict=True).errors
    except Exception:  # the library itself fails on some malformed expressions
        errors = [_("expression mal formée")]
    if errors:
        return _("Expression SPDX invalide : %(errors)s") % {"errors": " ; ".join(errors)}
    return ""


@functools.cache
def _licensing():
    """The SPDX licence list, loaded once per process (it takes a few tenths of a second)."""
    return get_spdx_licensing()


class _Checker:
    """Small helpers that append a Failure and return the value when it has the right type."""

    def __init__(self, failures: list[Failure]):
        self.failures = failures

    def fail(self, key: str, code: str, message: str) -> None:
        self.failures.append(Failure(key, code, message))

    def missing(self, key: str) -> None:
        self.fail(key, "missing", _("Clé obligatoire absente."))

    def _get(self, mapping: dict, name: str, prefix: str):
        if mapping.get(name) in (None, "", [], {}):
            self.missing(prefix + name)
            return None
        return mapping[name]

    def string(self, mapping: dict, name: str, *, prefix: str = "") -> str | None:
        value = self._get(mapping, name, prefix)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(prefix + name, "type", _("Un texte est attendu."))
            return None
        return value

    def strings(self, mapping: dict, name: str, *, prefix: str = "") -> list | None:
        value = self._get(mapping, name, prefix)
        if value is None:
            return None
        if not isinstance(value, list) or not all(
            isinstance(item, str) and item.strip() for item in value
        ):
            self.fail(prefix + name, "type", _("Une liste de textes est attendue."))
            return None
        return value

    def choice(self, mapping: dict, name: str, choices, *, prefix: str = "") -> str | None:
        value = self.string(mapping, name, prefix=prefix)
        if value is not None and value not in choices:
            self.fail(
                prefix + name,
                "invalid",
                _("« %(value)s » n'est pas une valeur permise (%(choices)s).")
                % {"value": value, "choices": ", ".join(choices)},
            )
            return None
        return value

    def mapping(self, mapping: dict, name: str) -> dict | None:
        value = mapping.get(name)
        if value is None:
            self.missing(name)
            return None
        if not isinstance(value, dict):
            self.fail(name, "type", _("Un dictionnaire est attendu."))
            return None
        return value

    def people(self, mapping: dict, name: str, *, needs: tuple[str, ...]) -> None:
        key = f"maintenance.{name}"
        value = mapping.get(name)
        if not value:
            self.missing(key)
            return
        if not isinstance(value, list):
            self.fail(key, "type", _("Une liste est attendue."))
            return
        for index, person in enumerate(value):
            if not isinstance(person, dict):
                self.fail(f"{key}.{index}", "type", _("Un dictionnaire est attendu."))
                continue
            for field in needs:
                if person.get(field) in (None, ""):
                    self.missing(f"{key}.{index}.{field}")


# A project's stage as the standard's development status.
DEVELOPMENT_STATUS = {
    "idea": "concept",
    "prototype": "development",
    "pilot": "beta",
    "commons": "stable",
    "archived": "obsolete",
}


def build(project, *, profile, owners: list[str]) -> tuple[dict, list[Failure]]:
    """``(document, warnings)``: the project's publiccode.yml built from its data and its
    ``PublicCodeProfile`` (or None). A value the project lacks is left out, never invented:
    ``validate`` then names it. ``warnings`` names what is optional but missing (English)."""
    document: dict = {"publiccodeYmlVersion": VERSION, "name": project.title}
    if project.repository_url:
        document["url"] = project.repository_url
    if project.website_url:
        document["landingURL"] = project.website_url
    document["platforms"] = list(getattr(profile, "platforms", None) or [])
    document["developmentStatus"] = DEVELOPMENT_STATUS[project.stage]
    document["softwareType"] = getattr(profile, "software_type", "")
    long_fr = getattr(profile, "long_description_fr", "") or "\n\n".join(
        text.strip() for text in (project.summary, project.problem, project.public_served) if text
    )
    descriptions = {
        "fr": {
            "shortDescription": project.summary,
            "longDescription": long_fr,
            "features": list(getattr(profile, "features_fr", None) or []),
        }
    }
    warnings = []
    english = {
        "shortDescription": getattr(profile, "short_description_en", ""),
        "longDescription": getattr(profile, "long_description_en", ""),
        "features": list(getattr(profile, "features_en", None) or []),
    }
    if any(english.values()):
        descriptions["en"] = english
    else:
        warnings.append(
            Failure(
                "description.en",
                "missing",
                _("Pas de description en anglais : seul le français est publié."),
            )
        )
    document["description"] = descriptions
    document["legal"] = {"license": project.licence}
    kind = getattr(profile, "maintenance_type", "")
    maintenance: dict = {"type": kind}
    if kind == "contract":
        maintenance["contractors"] = list(profile.contractors)
    elif kind in ("internal", "community"):
        maintenance["contacts"] = list(profile.contacts) or [{"name": name} for name in owners]
    document["maintenance"] = maintenance
    localisation: dict = {
        "availableLanguages": list(getattr(profile, "available_languages", None) or [])
    }
    ready = getattr(profile, "localisation_ready", None)
    if ready is not None:
        localisation = {"localisationReady": ready, **localisation}
    document["localisation"] = localisation
    used_by = list(getattr(profile, "used_by", None) or [])
    if used_by:
        document["usedBy"] = used_by
    return document, warnings


# Where a person fixes each key of a project's publiccode.yml.
WHERE_TO_FIX = {
    "name": "project",
    "url": "project",
    "legal.license": "project",
    "description.fr.shortDescription": "project",
}


def fix_hint(key: str) -> str:
    """Which form holds the value of ``key``: the project's or its publiccode.yml details."""
    if WHERE_TO_FIX.get(key) == "project":
        return _("À renseigner dans la fiche du projet.")
    return _("À renseigner dans les informations publiccode.yml du projet.")


def read(document: dict) -> dict:
    """The values a project can take from a publiccode.yml, by the name of the project's or
    the profile's field; only those present with the expected type."""
    values: dict = {}

    def text(value):
        return value.strip() if isinstance(value, str) and value.strip() else None

    def texts(value):
        if isinstance(value, list):
            kept = [item.strip() for item in value if isinstance(item, str) and item.strip()]
            return kept or None
        return None

    def people(value, fields):
        if not isinstance(value, list):
            return None
        kept = []
        for person in value:
            if isinstance(person, dict) and text(person.get("name")):
                kept.append({f: str(person[f]) for f in fields if person.get(f) not in (None, "")})
        return kept or None

    def section(name):
        value = document.get(name)
        return value if isinstance(value, dict) else {}

    descriptions = section("description")
    french = descriptions.get("fr") if isinstance(descriptions.get("fr"), dict) else {}
    english = descriptions.get("en") if isinstance(descriptions.get("en"), dict) else {}
    maintenance, localisation = section("maintenance"), section("localisation")
    found = {
        "title": text(document.get("name")),
        "repository_url": text(document.get("url")),
        "website_url": text(document.get("landingURL")),
        "licence": text(section("legal").get("license")),
        "summary": text(french.get("shortDescription")),
        "long_description_fr": text(french.get("longDescription")),
        "features_fr": texts(french.get("features")),
        "short_description_en": text(english.get("shortDescription")),
        "long_description_en": text(english.get("longDescription")),
        "features_en": texts(english.get("features")),
        "platforms": texts(document.get("platforms")),
        "software_type": text(document.get("softwareType")),
        "maintenance_type": text(maintenance.get("type")),
        "contacts": people(maintenance.get("contacts"), ("name", "email", "phone", "affiliation")),
        "contractors": people(
            maintenance.get("contractors"), ("name", "until", "email", "website")
        ),
        "available_languages": texts(localisation.get("availableLanguages")),
        "used_by": texts(document.get("usedBy")),
    }
    if isinstance(localisation.get("localisationReady"), bool):
        found["localisation_ready"] = localisation["localisationReady"]
    values.update({name: value for name, value in found.items() if value is not None})
    return values
