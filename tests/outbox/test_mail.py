"""E-mail that is never lost: a task per message, retried, once, in the person's language."""

import pytest
from django.core import mail
from django.db import transaction

from discussion.services import post_comment
from notifications.services import set_preferences
from outbox.models import Frequency, Item, Message, Recipient
from outbox.services import queue_items
from outbox.tasks import retry_failed_messages, send_message


def mention(by, project, *names):
    post_comment(by=by, project=project, body=" ".join(f"@{name}" for name in names) + " ?")


def test_smtp_down_then_up_every_mail_arrives_once(smtp, project, owner, member, run_tasks):
    set_preferences(by=member, choices={"mention": {"email": "immediate"}})
    set_preferences(by=owner, choices={"mention": {"email": "immediate"}})
    mention(owner, project, "member")
    mention(member, project, "owner")
    assert run_tasks(limit=4) == 4  # the server is down: four tries fail
    assert set(Message.objects.values_list("status", flat=True)) == {"pending"}
    assert sum(Message.objects.values_list("attempts", flat=True)) == 4
    assert "ConnectionRefusedError" in Message.objects.first().last_error
    smtp.start()
    assert run_tasks() == 2
    assert len(smtp.inbox.to("member@example.org")) == 1
    assert len(smtp.inbox.to("owner@example.org")) == 1
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}
    assert sum(Message.objects.values_list("attempts", flat=True)) == 6
    # A task run again (a late duplicate, a retry racing the first try) sends nothing more.
    for message in Message.objects.all():
        assert send_message.call(message.pk) == "sent"
    assert len(smtp.inbox.messages) == 2


def test_the_last_failure_stays_visible_and_can_be_retried(
    smtp, settings, project, owner, member, run_tasks
):
    settings.MAIL_MAX_ATTEMPTS = 3
    set_preferences(by=member, choices={"mention": {"email": "immediate"}})
    mention(owner, project, "member")
    assert run_tasks() == 3
    message = Message.objects.get()
    assert (message.status, message.attempts) == ("failed", 3)
    # The in-app notification is there whatever the e-mail did.
    assert member.notifications.count() == 1
    smtp.start()
    assert retry_failed_messages() == 1
    run_tasks()
    assert len(smtp.inbox.to("member@example.org")) == 1
    assert Message.objects.get().status == "sent"


def test_retry_waits_longer_each_time(settings):
    from outbox.tasks import retry_delay

    settings.MAIL_RETRY_SECONDS = 60
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]


def test_mail_in_the_recipient_language_text_html_link_unsubscribe(
    smtp, settings, project, owner, member, run_tasks
):
    settings.SITE_URL = "https://incubateur.example"
    Recipient.objects.create(user=member, language="en")
    for person in (owner, member):
        set_preferences(by=person, choices={"mention": {"email": "immediate"}})
    smtp.start()
    post_comment(by=member, project=project, body="@owner une question")
    post_comment(by=owner, project=project, body="@member une réponse")
    run_tasks()
    [english] = smtp.inbox.to("member@example.org")
    [french] = smtp.inbox.to("owner@example.org")
    assert "mentioned you" in english["Subject"] and "mentionné" in french["Subject"]
    text = english.get_body("plain").get_content()
    html = english.get_body("html").get_content()
    assert "https://incubateur.example/projects/" in text
    assert 'href="https://incubateur.example/projects/' in html
    assert (
        "Stop these e-mails" in text
        and "Ne plus recevoir" in french.get_body("plain").get_content()
    )
    link = english["List-Unsubscribe"].strip(" <>")
    assert link.startswith("https://incubateur.example/unsubscribe/")
    assert english["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in text


def test_malformed_address_fails_at_once_without_retries(smtp, project, owner, member, run_tasks):
    member.email = "pas une adresse"
    member.save()
    set_preferences(by=member, choices={"mention": {"email": "immediate"}})
    smtp.start()
    mention(owner, project, "member")
    assert run_tasks() == 1
    message = Message.objects.get()
    assert (message.status, message.attempts) == ("failed", 1)
    assert "invalid address" in message.last_error
    assert smtp.inbox.messages == []


def test_a_message_whose_person_was_deleted_ends_quietly(project, owner, member, run_tasks):
    set_preferences(by=member, choices={"mention": {"email": "immediate"}})
    mention(owner, project, "member")
    member.delete()
    assert run_tasks() == 1
    assert mail.outbox == []
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert DBTaskResult.objects.get().return_value == "gone"


def test_queue_items_immediate_gets_a_message_the_others_wait(member, owner):
    with transaction.atomic():
        queue_items(
            [
                Item(recipient=member, kind="mention", frequency=Frequency.IMMEDIATE, text="a"),
                Item(recipient=owner, kind="mention", frequency=Frequency.DAILY, text="b"),
            ]
        )
    assert Item.objects.get(text="a").message.frequency == "immediate"
    assert Item.objects.get(text="b").message is None


@pytest.mark.parametrize("frequency", ["never", "daily"])
def test_no_immediate_mail_unless_chosen(frequency, project, owner, member, run_tasks):
    set_preferences(by=member, choices={"mention": {"email": frequency}})
    mention(owner, project, "member")
    run_tasks()
    assert mail.outbox == []
