"""Atom feeds of stage changes, for the whole portfolio and per project.

Feed readers do not sign in: the feeds are public-only. A restricted project never appears,
and its own feed answers 404 like a project that does not exist.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from projects.models import Project, Stage, Visibility
from workflows.models import StageTransition

ITEMS = 50


def public_transitions():
    return (
        StageTransition.objects.filter(project__visibility=Visibility.PUBLIC)
        .select_related("project")
        .order_by("-at", "-id")
    )


class PortfolioStageFeed(Feed):
    """The latest stage changes of every public project."""

    feed_type = Atom1Feed
    # language stays None: the feed then speaks the request's language (LocaleMiddleware).

    def title(self):
        return _("Incubateur NEC : changements d'étape")

    def subtitle(self):
        return _("Les derniers passages d'étape des projets publics de l'incubateur.")

    def link(self):
        return reverse(settings.PAGE_URLS["portfolio"])

    def feed_url(self):
        return reverse("interop:stage_feed")

    def items(self):
        return public_transitions()[:ITEMS]

    def item_title(self, item: StageTransition):
        return _("%(project)s : %(from)s → %(to)s") % {
            "project": item.project.title,
            "from": Stage(item.from_stage).label,
            "to": Stage(item.to_stage).label,
        }

    def item_description(self, item: StageTransition):
        return item.rationale_text or _("Passage de l'étape %(from)s à l'étape %(to)s.") % {
            "from": Stage(item.from_stage).label,
            "to": Stage(item.to_stage).label,
        }

    def item_link(self, item: StageTransition):
        return f"{item.project.get_absolute_url()}#transition-{item.pk}"

    def item_pubdate(self, item: StageTransition):
        return item.at

    def item_updateddate(self, item: StageTransition):
        return item.at

    def item_categories(self, item: StageTransition):
        return [item.to_stage]


class ProjectStageFeed(PortfolioStageFeed):
    """One public project's stage changes."""

    def get_object(self, request, pk):
        project = get_object_or_404(Project, pk=pk)
        if project.visibility != Visibility.PUBLIC:
            raise Http404
        return project

    def title(self, project):
        return _("%(project)s : changements d'étape") % {"project": project.title}

    def subtitle(self, project):
        return project.summary

    def link(self, project):
        return project.get_absolute_url()

    def feed_url(self, project):
        return reverse("interop:project_stage_feed", args=[project.pk])

    def items(self, project):
        return public_transitions().filter(project=project)[:ITEMS]
