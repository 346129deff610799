import pytest

from tests.smtp import SMTPServer


@pytest.fixture
def smtp(settings):
    """An SMTP server the e-mail settings point to, not started yet; stopped at the end."""
    server = SMTPServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_TIMEOUT = 5
    settings.MAIL_RETRY_SECONDS = 0
    yield server
    server.stop()
