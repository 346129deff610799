"""publiccode.yml: present at the root, parseable, and valid for the current standard. The
rules are the product's one set (``interop.publiccode``), shared with the file the incubator
generates for a project, so a scan and an export can never disagree."""

from interop import publiccode

from . import failed, passed

NAMES = ("publiccode.yml", "publiccode.yaml")
MAX_LISTED = 50  # failures kept on the result: enough to fix the file, bounded in size


def check_publiccode(snapshot):
    name = next((name for name in NAMES if name in snapshot.files), None)
    if name is None:
        return failed({"error": "missing"})
    try:
        document = publiccode.parse(snapshot.read(name, publiccode.MAX_BYTES + 1) or b"")
    except publiccode.ParseError as error:
        return failed({"error": "unreadable", "reason": str(error.reason)}, path=name)
    failures = publiccode.validate(document)
    if failures:
        listed = [
            {"key": f.key, "code": f.code, "detail": str(f.message)} for f in failures[:MAX_LISTED]
        ]
        return failed({"error": "invalid", "failures": listed}, path=name)
    return passed(
        {"version": str(document["publiccodeYmlVersion"]), "name": str(document["name"])},
        path=name,
    )
