"""Failed e-mails and tasks are visible to curators and can be retried."""

from django.core import mail
from django.core.management import call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from discussion.services import post_comment
from notifications.services import set_preferences
from outbox.models import Message
from tests.conftest import PASSWORD


def failed_message(settings, project, owner, member, run_tasks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    settings.MAIL_MAX_ATTEMPTS, settings.MAIL_RETRY_SECONDS = 1, 0
    set_preferences(by=member, choices={"mention": {"email": "immediate"}})
    post_comment(by=owner, project=project, body="@member bonjour")
    run_tasks()
    return Message.objects.get(status="failed")


def test_curators_see_failed_mail_in_the_admin_and_retry_it(
    settings, project, owner, member, curator, run_tasks
):
    message = failed_message(settings, project, owner, member, run_tasks)
    curator.is_staff = True
    curator.save()
    client = Client()
    client.login(username=curator.username, password=PASSWORD)
    listing = client.get("/admin/outbox/message/?status__exact=failed")
    assert listing.status_code == 200
    assert f"/admin/outbox/message/{message.pk}/change/" in listing.content.decode()
    assert client.get(f"/admin/outbox/message/{message.pk}/change/").status_code == 200
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.post(
        "/admin/outbox/message/",
        {"action": "retry", "_selected_action": [message.pk]},
    )
    assert response.status_code == 302
    run_tasks()
    assert Message.objects.get().status == "sent" and len(mail.outbox) == 1


def test_a_reviewer_in_the_admin_does_not_see_mail(reviewer):
    reviewer.is_staff = True
    reviewer.save()
    client = Client()
    client.login(username=reviewer.username, password=PASSWORD)
    assert client.get("/admin/outbox/message/").status_code == 403


def test_retry_failed_command_requeues_mail_and_failed_tasks(
    settings, project, owner, member, run_tasks, capsys
):
    failed_message(settings, project, owner, member, run_tasks)
    from clock.tasks import prune_tasks

    broken = prune_tasks.enqueue(period="x")
    DBTaskResult.objects.filter(pk=broken.id).update(status="FAILED")
    call_command("retry_failed")
    assert "1 message(s) and 1 task(s) queued again." in capsys.readouterr().out
    assert not DBTaskResult.objects.filter(status="FAILED").exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_tasks()
    assert Message.objects.get().status == "sent"
