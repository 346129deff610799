"""What every page shows of the operator: its identity (State or neutral) and its name."""

from django.conf import settings


def identity(request) -> dict:
    return {"site": settings.SITE_IDENTITY}
