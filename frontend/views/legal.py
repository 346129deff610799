"""The pages every public service links from its footer: accessibility, legal notice,
personal data and the site map. Their facts (operator, publisher, host, contact) come from
the settings (``SITE_IDENTITY``, through the ``identity`` context processor)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET


def _page(name: str):
    @require_GET
    def view(request):
        return render(request, f"frontend/legal/{name}.html")

    view.__name__ = name
    return view


accessibility = _page("accessibility")
legal_notice = _page("legal_notice")
personal_data = _page("personal_data")
sitemap = _page("sitemap")
