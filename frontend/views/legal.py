"""The pages every public service links from its footer: accessibility, legal notice,
personal data and the site map. Their facts (operator, publisher, host, contact) come from
the settings (``SITE_IDENTITY``)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def accessibility(request):
    return render(request, "frontend/legal/accessibility.html")


@require_GET
def legal_notice(request):
    return render(request, "frontend/legal/legal_notice.html")


@require_GET
def personal_data(request):
    return render(request, "frontend/legal/personal_data.html")


@require_GET
def sitemap(request):
    return render(request, "frontend/legal/sitemap.html")
