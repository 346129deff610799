"""Digests: per person and kind, grouped per project, once per period, nothing when quiet."""

from django.core import mail

from discussion.services import post_comment
from notifications.services import set_preferences
from outbox.models import Item, Message
from outbox.services import send_digests


def test_a_daily_digest_groups_per_project_and_records_what_it_covered(
    make_project, project, owner, member, stranger, run_tasks
):
    other = make_project(owner, members=[member], title="Deuxième projet")
    set_preferences(
        by=member, choices={"mention": {"email": "daily"}, "reply": {"email": "weekly"}}
    )
    post_comment(by=owner, project=project, body="@member un")
    post_comment(by=owner, project=other, body="@member deux")
    post_comment(by=owner, project=project, body="@member trois")
    run_tasks()
    assert mail.outbox == []  # nothing leaves before the digest
    assert send_digests.call(frequency="daily", period="2026-12-01") == 1
    run_tasks()
    [digest] = mail.outbox
    assert digest.to == ["member@example.org"]
    sections = digest.body.split("\n== ")[1:]
    # One heading per project, each with its own items (and their links).
    assert sorted(section.split(" ==")[0] for section in sections) == sorted(
        [project.title, other.title]
    )
    by_title = {section.split(" ==")[0]: section for section in sections}
    assert by_title[project.title].count("#comment-") == 2
    assert by_title[other.title].count("#comment-") == 1
    assert "<ul>" in digest.alternatives[0].content
    message = Message.objects.get(frequency="daily")
    assert (message.period, message.status, message.items.count()) == ("2026-12-01", "sent", 3)
    # Nothing new: no second digest; the weekly one has nothing either.
    assert send_digests.call(frequency="daily", period="2026-12-02") == 0
    assert send_digests.call(frequency="weekly", period="2026-W49") == 0
    assert len(mail.outbox) == 1


def test_a_period_goes_out_once_even_when_run_twice(project, owner, member, run_tasks):
    set_preferences(by=member, choices={"mention": {"email": "weekly"}})
    post_comment(by=owner, project=project, body="@member un")
    assert send_digests.call(frequency="weekly", period="2026-W49") == 1
    post_comment(by=owner, project=project, body="@member deux")
    # A second clock, or a retry, for the same period: the constraint stops it.
    assert send_digests.call(frequency="weekly", period="2026-W49") == 0
    run_tasks()
    assert len(mail.outbox) == 1
    # What came after waits for the next period.
    assert Item.objects.filter(message__isnull=True).count() == 1
    assert send_digests.call(frequency="weekly", period="2026-W50") == 1
    run_tasks()
    assert len(mail.outbox) == 2
    second = Message.objects.get(period="2026-W50")
    assert [item.message_id for item in Item.objects.order_by("id")] == [
        Message.objects.get(period="2026-W49").pk,
        second.pk,
    ]


def test_digest_in_english_with_one_unsubscribe_for_its_kinds(project, owner, member, run_tasks):
    from outbox.mail import read_unsubscribe_token
    from outbox.models import Recipient

    Recipient.objects.create(user=member, language="en")
    set_preferences(by=member, choices={"mention": {"email": "daily"}, "reply": {"email": "daily"}})
    top, _ = post_comment(by=member, project=project, body="Question")
    post_comment(by=owner, project=project, body="@member réponse", parent=top.pk)
    post_comment(by=owner, project=project, body="@member encore")
    send_digests.call(frequency="daily", period="2026-12-01")
    run_tasks()
    [digest] = mail.outbox
    assert "Daily digest" in digest.subject
    assert "Here is what happened" in digest.body
    token = digest.extra_headers["List-Unsubscribe"].strip("<>").rstrip("/").rsplit("/", 1)[1]
    assert read_unsubscribe_token(token) == (member.pk, ["mention"])


def test_unknown_frequency_is_refused():
    import pytest

    with pytest.raises(ValueError):
        send_digests.call(frequency="hourly", period="x")
