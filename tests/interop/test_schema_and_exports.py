"""The interop endpoints in the OpenAPI schema, and the French spreadsheet dialect of the
portfolio export."""

import csv
import io

import pytest

pytestmark = pytest.mark.django_db


def test_every_interop_endpoint_is_documented_with_examples(api):
    schema = api.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    publiccode = paths["/api/projects/{id}/publiccode.yml"]
    assert publiccode["get"]["responses"]["200"]["content"]["application/yaml"]["examples"]
    assert publiccode["get"]["responses"]["409"]["content"]["application/json"]["examples"]
    assert publiccode["post"]["requestBody"]["content"]["application/json"]["examples"]
    for path in (
        "/api/opendata/datapackage.json",
        "/api/opendata/{name}.csv",
        "/api/opendata/portefeuille.zip",
    ):
        assert "get" in paths[path], path
    resource = paths["/api/opendata/{name}.csv"]["get"]
    assert resource["responses"]["200"]["content"]["text/csv"]["examples"]
    dialect = next(p for p in resource["parameters"] if p["name"] == "dialect")
    assert set(dialect["schema"]["enum"]) == {"rfc4180", "excel-fr"}


def test_the_portfolio_export_in_the_french_spreadsheet_dialect(api, propose, owner):
    propose(owner, title="Kit ; mobile")
    response = api.as_(None).get("/api/portfolio/export.csv?dialect=excel-fr")
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0][:3] == ["id", "title", "stage"]
    assert rows[1][1] == "Kit ; mobile"
    assert api.as_(None).get("/api/portfolio/export.csv?dialect=tsv").status_code == 400
    plain = api.as_(None).get("/api/portfolio/export.csv").content.decode()
    assert not plain.startswith("\ufeff") and plain.startswith("id,title,")
