"""How the pages answer the domain's refusals: a clear page or message, never a traceback.

Services and access functions raise ``projects.errors``; views let them through and this
decorator turns them into the answer a person expects from a web page.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils.translation import gettext as _

from projects.errors import NotAuthenticated, ServiceError


def refusals(view):
    """Visitors asked to sign in are sent to the sign-in page; every other refusal renders
    ``frontend/refusal.html`` with the error's status (403, 404, 409...)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotAuthenticated:
            return redirect_to_login(request.get_full_path())
        except ServiceError as error:
            return refusal(request, error)

    return wrapper


def refusal(request, error: ServiceError):
    return render(
        request,
        "frontend/refusal.html",
        {
            "status": error.status,
            "detail": error.detail,
            "blockers": error.extra.get("blockers", []),
        },
        status=error.status,
    )


def add_service_errors(form, error) -> None:
    """Put an ``Invalid`` error's field messages next to the fields of ``form``."""
    errors = error.extra.get("errors") or {}
    for field, messages in errors.items():
        target = field if field in form.fields else None
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            form.add_error(target, str(message))
    if not errors:
        form.add_error(None, str(error.detail))


def error_text(error: ServiceError) -> str:
    """A refusal in one sentence: its field messages, or its detail."""
    errors = error.extra.get("errors") or {}
    texts = [
        str(message)
        for messages in errors.values()
        for message in (messages if isinstance(messages, list | tuple) else [messages])
    ]
    return " ".join(texts) or str(error.detail)


def require_post(view):
    """Like Django's ``require_POST``, but a GET (a bookmarked or typed address of a form's
    action) gets a page that says so, with a way back, rather than an empty 405."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            return view(request, *args, **kwargs)
        response = render(
            request,
            "frontend/refusal.html",
            {
                "status": 405,
                "detail": _(
                    "Cette adresse reçoit les formulaires de l'incubateur : "
                    "elle ne s'ouvre pas comme une page."
                ),
            },
            status=405,
        )
        response["Allow"] = "POST"
        return response

    return wrapper


def confirm(request, *, title: str, question: str, action: str, confirm: str, cancel: str):
    """The page that asks before destroying. Its form posts to ``action``; the pages offer
    it as a link, which JavaScript opens as a dialog in place (``confirm.js``)."""
    return render(
        request,
        "frontend/confirm.html",
        {
            "title": title,
            "question": question,
            "action": action,
            "confirm_label": confirm,
            "cancel_url": cancel,
        },
    )
