"""The public portfolio as a Frictionless Data Package, its CSVs, and who sees what."""

import csv
import io
import json
import zipfile

import frictionless
import pytest

from commons import services as commons_services
from interop import datapackage
from workflows import services

from ..workflows.conftest import pass_gate

pytestmark = pytest.mark.django_db

BASE = "/api/opendata/"
REUSE = {
    "organisation": "Médiathèque de Rezé",
    "siret": "21440143500018",
    "territory": "44",
    "kind": "adapted",
    "use_case": "Prêt de tablettes ; ateliers « numériques ».",
    "contact": "numerique@reze.example.org",
}


@pytest.fixture
def portfolio(propose, owner, member, reviewer, reviewer2):
    """A public project that passed a gate, a public one at idea, a restricted one that
    passed a gate too."""
    moved = propose(owner, members=[member], title="Kit « mobile »; ou pas", licence="EUPL-1.2")
    pass_gate(moved, owner, [reviewer, reviewer2])
    idle = propose(owner, title="Tiers-lieu", themes=["inclusion"], territories=["44", "R52"])
    hidden = propose(owner, title="Projet discret", visibility="restricted")
    pass_gate(hidden, owner, [reviewer, reviewer2])
    services.fire(by=owner, project=hidden, name="archive", rationale="Secret.")
    declared = commons_services.declare_reuse(by=reviewer2, project=moved, **REUSE)
    refused = commons_services.declare_reuse(
        by=reviewer2,
        project=moved,
        **{**REUSE, "siret": "", "organisation_uri": "https://x.example/"},
    )
    commons_services.refuse_reuse(by=reviewer, reuse=refused, note="Introuvable.")
    # A reuse of a project made restricted afterwards.
    type(hidden).objects.filter(pk=hidden.pk).update(visibility="public")
    commons_services.declare_reuse(by=reviewer2, project=hidden, **REUSE)
    type(hidden).objects.filter(pk=hidden.pk).update(visibility="restricted")
    return {"moved": moved, "idle": idle, "hidden": hidden, "reuse": declared}


def unpack(api, tmp_path):
    response = api.get(BASE + "portefeuille.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        archive.extractall(tmp_path)
        return set(archive.namelist())


def test_the_zip_is_a_valid_data_package(api, portfolio, tmp_path):
    names = unpack(api.as_(None), tmp_path)
    assert names == {"datapackage.json", *(f"{n}.csv" for n in datapackage.RESOURCES)}
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note", "rowNumber", "fieldName"])
    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    assert descriptor["licenses"][0]["name"] == "etalab-2.0"
    assert [r["name"] for r in descriptor["resources"]] == list(datapackage.RESOURCES)


def test_only_what_a_visitor_may_read_whoever_asks(api, portfolio, curator, tmp_path):
    unpack(api.as_(curator), tmp_path)
    hidden = str(portfolio["hidden"].pk)
    for name in datapackage.RESOURCES:
        with open(tmp_path / f"{name}.csv", newline="", encoding="utf-8") as file:
            rows = list(csv.DictReader(file))
        column = "id" if name == "projects" else "project_id"
        assert hidden not in {row[column] for row in rows}, name
        assert rows, name
    reuses = (tmp_path / "reuses.csv").read_text()
    assert "numerique@reze.example.org" not in reuses  # contacts are personal data
    assert "Introuvable" not in reuses and "x.example" not in reuses  # refused: not a reuse
    assert reuses.count("Médiathèque de Rezé") == 1
    text = (tmp_path / "projects.csv").read_text()
    assert (
        "Projet discret" not in text and "Secret." not in (tmp_path / "transitions.csv").read_text()
    )


def test_each_resource_at_its_url_is_the_one_in_the_zip(api, portfolio, tmp_path):
    unpack(api.as_(None), tmp_path)
    for name in datapackage.RESOURCES:
        response = api.as_(None).get(f"{BASE}{name}.csv")
        assert response.status_code == 200
        assert response.content == (tmp_path / f"{name}.csv").read_bytes()
    descriptor = api.as_(None).get(BASE + "datapackage.json").json()
    assert descriptor["resources"][0]["path"] == "projects.csv"  # resolves beside it


def test_the_descriptor_validates_against_the_live_urls(api, portfolio, tmp_path):
    """The descriptor as served, with the CSVs as served, read by frictionless."""
    (tmp_path / "datapackage.json").write_bytes(api.get(BASE + "datapackage.json").content)
    for name in datapackage.RESOURCES:
        (tmp_path / f"{name}.csv").write_bytes(api.get(f"{BASE}{name}.csv").content)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])


def test_the_french_spreadsheet_dialect(api, portfolio):
    response = api.as_(None).get(BASE + "projects.csv?dialect=excel-fr")
    assert response.status_code == 200
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw[1:]), delimiter=";"))
    assert rows[0][:4] == ["Identifiant", "Titre", "Résumé", "Étape"]
    titles = {row[1] for row in rows[1:]}
    assert "Kit « mobile »; ou pas" in titles  # a ; inside a cell stays in its cell
    compliance = api.as_(None).get(BASE + "compliance.csv?dialect=excel-fr").content.decode()
    shares = [row[4] for row in csv.reader(io.StringIO(compliance[1:]), delimiter=";")][1:]
    assert any("," in share for share in shares) or "1" in shares
    assert not any("." in share for share in shares)
    checklist = api.as_(None).get(BASE + "checklist.csv?dialect=excel-fr").content.decode()
    assert ";oui;" in checklist


def test_the_default_dialect_has_the_schema_names(api, portfolio):
    text = api.as_(None).get(BASE + "transitions.csv").content.decode()
    assert text.splitlines()[0] == "id,project_id,name,from_stage,to_stage,at,rationale"
    assert not text.startswith("\ufeff")


def test_bad_requests(api, portfolio):
    bad = api.as_(None).get(BASE + "projects.csv?dialect=excel")
    assert bad.status_code == 400
    assert "dialect" in bad.json()["errors"]
    assert api.as_(None).get(BASE + "secrets.csv").status_code == 404


def test_formulas_stay_text_in_the_spreadsheet_dialect(api, propose, owner):
    propose(owner, title='=HYPERLINK("http://evil")')
    text = api.as_(None).get(BASE + "projects.csv?dialect=excel-fr").content.decode()
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'


def test_a_composted_projects_transition_is_in_the_schema(api, propose, owner, tmp_path):
    from workflows import lifecycle

    composted = propose(owner, title="Atelier mobile")
    lifecycle.compost(
        by=owner,
        project=composted,
        tried="Un atelier mobile.",
        worked="Les permanences.",
        failed="Le camion.",
        reusable="Le guide.",
    )
    unpack(api.as_(None), tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note", "rowNumber", "fieldName"])
