"""What the system writes in a notification is stored as a code with parameters and shown
in the reader's language: pages, API and e-mails."""

import importlib

import pytest
from django.apps import apps
from django.utils import translation
from django.utils.html import escape

from notifications import texts
from notifications.models import Notification
from projects.models import Stage
from workflows import services
from workflows.models import ChecklistItem, Gate, ItemStatus

migration = importlib.import_module("notifications.migrations.0002_notification_codes")


@pytest.fixture
def told(project, owner, member, reviewer):
    """The team is told of a decision, the followers of the stage change."""
    Gate.objects.filter(stage=Stage.PROTOTYPE).update(quorum=1)
    ChecklistItem.objects.filter(project=project).update(status=ItemStatus.VERIFIED)
    review = services.open_review(by=owner, project=project)
    services.decide(by=reviewer, review=review, verdict="approve", rationale="Conforme.")
    return Notification.objects.filter(recipient=member).order_by("id")


def test_the_rows_hold_codes_and_parameters(told, project):
    decision, moved = told
    assert (decision.code, decision.text) == ("decision", "")
    assert decision.params["verdict"] == {"msgid": "Approuver"}
    assert moved.code == "stage_changed"
    assert moved.params == {
        "title": project.title,
        "from": {"msgid": "Idée"},
        "to": {"msgid": "Prototype"},
    }


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("fr", "« {title} » passe de l'étape Idée à l'étape Prototype."),
        ("en", "“{title}” moves from the Idea stage to the Prototype stage."),
    ],
)
def test_the_api_and_the_inbox_show_them_in_the_readers_language(
    api, client, told, project, member, language, shown
):
    shown = shown.format(title=project.title)
    listed = api.as_(member).get("/api/notifications/", HTTP_ACCEPT_LANGUAGE=language).json()
    newest = listed["results"][0]
    assert (newest["code"], newest["text"]) == ("stage_changed", shown)
    client.force_login(member)
    client.cookies["django_language"] = language
    assert escape(shown) in client.get("/notifications/").content.decode()


def test_a_text_without_code_is_shown_as_it_is(project, member):
    row = Notification.objects.create(recipient=member, kind="mention", text="Texte libre.")
    assert row.shown == "Texte libre."
    assert Notification(code="gone", text="", params={}).shown == ""


def test_the_migration_maps_the_known_sentences_in_both_languages():
    assert migration.coded("“Kit” moves from the Idea stage to the Pilot stage.") == (
        "stage_changed",
        {"title": "Kit", "from": {"msgid": "Idée"}, "to": {"msgid": "Pilote"}},
    )
    assert migration.coded("Rita sur « Kit » : Refuser.") == (
        "decision",
        {"who": "Rita", "title": "Kit", "verdict": {"msgid": "Refuser"}},
    )
    assert migration.coded("« Kit » attend une décision depuis 12 jours.") == (
        "review_waiting",
        {"title": "Kit", "days": 12},
    )
    assert migration.coded("Rita sur « Kit » : peut-être.") is None
    assert migration.coded("Un texte saisi.") is None


def test_the_migration_and_the_texts_say_the_same_sentences():
    """The French sentence of each code is the one the migration recognises. The codes of
    conditions, holds, reuses and renewals came with their notifications, never written as
    plain text, so the migration has nothing of theirs to recognise."""
    later = {
        texts.CONDITION_DUE,
        texts.CONDITION_MISSED,
        texts.HOLD_PLACED,
        texts.HOLD_LIFTED,
        texts.HOLD_REVISIT,
        texts.REUSE_DECLARED,
        texts.REUSE_VERIFIED,
        texts.REUSE_REFUSED,
        texts.REUSE_LAPSED,
        texts.REUSE_CONFIRM,
        texts.RENEWAL_OPENED,
        texts.RENEWAL_DECIDED,
    }
    assert set(migration.SENTENCES) == set(texts.TEXTS) - later
    with translation.override("fr"):
        for code, (french, _english) in migration.SENTENCES.items():
            assert str(texts.TEXTS[code]) == french, code


def test_the_migration_codes_rows_and_leaves_typed_text(project, member):
    rows = [
        Notification.objects.create(recipient=member, kind="reply", project=project, text=text)
        for text in ["Rita replied to your message on “Kit”.", "Merci pour la relecture !"]
    ]
    migration.to_codes(apps, None)
    coded, typed = (Notification.objects.get(pk=row.pk) for row in rows)
    assert (coded.code, coded.params, coded.text) == (
        "reply",
        {"name": "Rita", "project": "Kit"},
        "",
    )
    with translation.override("fr"):
        assert coded.shown == "Rita a répondu à votre message sur « Kit »."
    assert (typed.code, typed.shown) == ("", "Merci pour la relecture !")
