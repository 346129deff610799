"""What the system writes itself is stored as a code and shown in the reader's language;
what a person typed stays as typed."""

import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from projects.models import Project, Stage
from workflows import services
from workflows.models import ChecklistItem, Gate, ItemStatus, Said, StageTransition

migration = importlib.import_module("workflows.migrations.0008_transition_said")


@pytest.fixture
def advanced(project, owner, reviewer):
    Gate.objects.filter(stage=Stage.PROTOTYPE).update(quorum=1)
    ChecklistItem.objects.filter(project=project).update(status=ItemStatus.VERIFIED)
    review = services.open_review(by=owner, project=project)
    services.decide(by=reviewer, review=review, verdict="approve", rationale="Conforme.")
    return StageTransition.objects.get(project=project)


def test_the_automatic_rationale_is_a_code(advanced):
    assert advanced.said == Said.GATE_APPROVED
    assert advanced.rationale == ""


@pytest.mark.parametrize(
    ("language", "shown"), [("fr", "Passage approuvé."), ("en", "Move approved.")]
)
def test_the_api_and_the_page_show_it_in_the_readers_language(
    api, client, advanced, owner, language, shown
):
    project = advanced.project
    history = api.as_(owner).get(
        f"/api/projects/{project.pk}/history/", HTTP_ACCEPT_LANGUAGE=language
    )
    assert history.status_code == 200
    rows = history.json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert [(row["said"], row["rationale"]) for row in rows] == [("gate_approved", shown)]
    client.force_login(owner)
    client.cookies["django_language"] = language
    page = client.get(project.get_absolute_url())
    assert shown in page.content.decode()


def test_a_typed_rationale_stays_as_typed(project, curator):
    row = services.archive(by=curator, project=project, rationale="Passage approuvé.")
    assert (row.said, row.rationale_text) == (None, "Passage approuvé.")


def test_the_migration_codes_the_known_sentences_only(project, owner):
    """Rows written before the codes: the system's sentence, in either language, gains its
    code; a person's text does not."""
    rows = [
        StageTransition.objects.create(
            project=project, name=name, from_stage=Stage.IDEA, to_stage=Stage.IDEA, rationale=text
        )
        for name, text in [
            ("advance", "Passage approuvé."),
            ("advance", "Move approved."),
            ("advance", "Passage approuvé, bravo."),
            ("archive", "Passage approuvé."),
        ]
    ]
    # As the migration runs it: the codes are written before the trigger covers them (this
    # test's transaction puts the trigger back).
    with connection.cursor() as cursor:
        cursor.execute(migration.DROP[connection.vendor])
    migration.codes(apps, None)
    said = [StageTransition.objects.get(pk=row.pk).said for row in rows]
    assert said == ["gate_approved", "gate_approved", None, None]
    assert Project.objects.get(pk=project.pk).stage == Stage.IDEA


def test_the_code_is_append_only_too(advanced):
    with pytest.raises(IntegrityError), transaction.atomic():
        StageTransition.objects.filter(pk=advanced.pk).update(said=None)
