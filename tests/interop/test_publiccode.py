"""The publiccode.yml rules: validate, parse safely, and a project's generated file."""

import copy

import pytest
import yaml

from interop import publiccode

VALID = {
    "publiccodeYmlVersion": "0.4",
    "name": "Kit",
    "url": "https://forge.example.org/nec/kit.git",
    "platforms": ["web"],
    "developmentStatus": "beta",
    "softwareType": "standalone/web",
    "description": {
        "fr": {
            "shortDescription": "Un kit.",
            "longDescription": "x" * 150,
            "features": ["Fiches"],
        }
    },
    "legal": {"license": "AGPL-3.0-or-later OR EUPL-1.2"},
    "maintenance": {"type": "community", "contacts": [{"name": "Olga"}]},
    "localisation": {"localisationReady": False, "availableLanguages": ["fr"]},
}


def changed(path: str, value):
    document = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    target = document
    for key in parents:
        target = target[key]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return document


DELETE = object()


def keys(failures):
    return [(f.key, f.code) for f in failures]


def test_a_valid_document_has_no_failure():
    assert publiccode.validate(VALID) == []


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("publiccodeYmlVersion", DELETE, ("publiccodeYmlVersion", "missing")),
        ("publiccodeYmlVersion", "v4", ("publiccodeYmlVersion", "invalid")),
        ("name", "", ("name", "missing")),
        ("name", 12, ("name", "type")),
        ("url", "forge.example.org/kit", ("url", "invalid")),
        ("platforms", [], ("platforms", "missing")),
        ("platforms", "web", ("platforms", "type")),
        ("developmentStatus", "alpha", ("developmentStatus", "invalid")),
        ("softwareType", "app", ("softwareType", "invalid")),
        ("description", {}, ("description", "missing")),
        (
            "description.fr.shortDescription",
            "x" * 151,
            ("description.fr.shortDescription", "too_long"),
        ),
        (
            "description.fr.longDescription",
            "x" * 149,
            ("description.fr.longDescription", "too_short"),
        ),
        (
            "description.fr.longDescription",
            "x" * 10_001,
            ("description.fr.longDescription", "too_long"),
        ),
        ("description.fr.features", DELETE, ("description.fr.features", "missing")),
        ("legal.license", "Licence-Maison-1.0", ("legal.license", "invalid")),
        ("legal.license", "MIT OR", ("legal.license", "invalid")),
        ("legal", DELETE, ("legal", "missing")),
        ("maintenance.type", "volunteers", ("maintenance.type", "invalid")),
        ("maintenance.contacts", [], ("maintenance.contacts", "missing")),
        ("maintenance.contacts", [{"email": "a@b.fr"}], ("maintenance.contacts.0.name", "missing")),
        ("localisation.localisationReady", "yes", ("localisation.localisationReady", "type")),
        ("localisation.localisationReady", DELETE, ("localisation.localisationReady", "missing")),
        ("localisation.availableLanguages", DELETE, ("localisation.availableLanguages", "missing")),
    ],
)
def test_each_broken_rule_is_named(path, value, expected):
    assert keys(publiccode.validate(changed(path, value))) == [expected]


def test_a_contract_needs_contractors_with_an_end_date():
    document = changed("maintenance", {"type": "contract", "contractors": [{"name": "SCOP"}]})
    assert keys(publiccode.validate(document)) == [("maintenance.contractors.0.until", "missing")]
    none = changed("maintenance", {"type": "none"})
    assert publiccode.validate(none) == []


def test_every_description_language_is_checked():
    document = changed("description.en", {"shortDescription": "Kit", "features": ["Sheets"]})
    assert keys(publiccode.validate(document)) == [("description.en.longDescription", "missing")]


def test_not_a_mapping():
    assert keys(publiccode.validate(["name"])) == [("", "type")]


def test_parse_reads_a_file_as_written():
    assert publiccode.parse(yaml.safe_dump(VALID)) == VALID
    assert publiccode.parse(yaml.safe_dump(VALID).encode()) == VALID


ALIAS_BOMB = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
"""


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (ALIAS_BOMB, "alias"),
        ("name: " + "x" * (publiccode.MAX_BYTES + 1), "octets"),
        ("a: [" * 30 + "]" * 30, "niveaux"),
        ("[" + "1," * 25_000 + "1]", "éléments"),
        ("name: [unclosed", "YAML illisible (ligne"),
        ("- just\n- a list\n", "dictionnaire"),
        ("   \n", "vide"),
        (b"name: \xff\xfe", "UTF-8"),
        ("name: a\n---\nname: b\n", "YAML illisible"),
        ("name: !!python/object:os.system ls", "YAML illisible"),
    ],
)
def test_parse_refuses_hostile_files_with_a_reason(content, reason):
    with pytest.raises(publiccode.ParseError) as refused:
        publiccode.parse(content)
    assert reason in refused.value.reason
