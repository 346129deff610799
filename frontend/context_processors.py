"""What every page shows of the operator: its identity (State or neutral) and its name."""

from django.conf import settings


def identity(request) -> dict:
    # Not "site": the auth views put the current Site under that name.
    return {"identity": settings.SITE_IDENTITY}
