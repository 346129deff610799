"""Django's sign-in and password views with this site's rules: sign-in and reset mails are
limited (``limits``). A changed or reset password ends every other way in through
``sessions.password_saved``, as any new password does."""

from django.contrib.auth import views as auth_views
from django.utils.translation import gettext as _

from . import limits


def _limited(view, wait: int, form):
    message = _("Trop de tentatives. Réessayez dans %(minutes)s min.") % {
        "minutes": max(1, round(wait / 60))
    }
    response = view.render_to_response(view.get_context_data(form=form, limited=message))
    response.status_code = 429
    response["Retry-After"] = str(wait)
    return response


class LoginView(auth_views.LoginView):
    """After too many failures for an account or from an address, every attempt is
    refused (429) until the window ends, the right password included."""

    def subjects(self):
        return limits.sign_in_subjects(self.request, self.request.POST.get("username", ""))

    def post(self, request, *args, **kwargs):
        wait = limits.retry_after(*self.subjects())
        if wait:
            return _limited(self, wait, self.get_form_class()(request))
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        limits.record(*self.subjects())
        return super().form_invalid(form)

    def form_valid(self, form):
        limits.clear(self.subjects()[0])
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    """A few reset mails per e-mail address and per client address, whether or not the
    address has an account (the answer never says)."""

    def form_valid(self, form):
        subjects = (
            ("reset_email", form.cleaned_data["email"]),
            ("reset_address", limits.client_address(self.request)),
        )
        wait = limits.retry_after(*subjects)
        if wait:
            return _limited(self, wait, form)
        limits.record(*subjects)
        return super().form_valid(form)
