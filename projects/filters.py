"""The filters of the project list (DESIGN.md). A value the filter does not know is a 400
with the field named, never a silently empty page."""

import django_filters as filters
from django.db.models import Q, Value
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .models import Project, Stage, Territory, Theme
from .search import folded

MAX_SEARCH_WORDS = 8


def _theme_choices():
    return [(slug, slug) for slug in Theme.objects.values_list("slug", flat=True)]


def _territory_choices():
    return [(code, code) for code in Territory.objects.values_list("code", flat=True)]


# The schema says "strings" rather than freezing today's reference tables into an enum:
# curators may add themes, and GET /api/themes/ and /api/territories/ list the codes.
class CodesField(filters.fields.MultipleChoiceField):
    """Empty values mean "all": a select left on "Tous" sends ``theme=``."""

    def clean(self, value):
        return super().clean([code for code in value or [] if code != ""])


@extend_schema_field(OpenApiTypes.STR)
class CodesFilter(filters.MultipleChoiceFilter):
    """Codes of a reference table; repeated, it keeps projects matching any of them."""

    field_class = CodesField


class ProjectFilter(filters.FilterSet):
    stage = filters.ChoiceFilter(choices=Stage.choices, help_text=_("Étape du projet."))
    theme = CodesFilter(
        field_name="themes__slug",
        choices=_theme_choices,
        distinct=True,
        help_text=_("Thème (slug) ; répétez le paramètre pour en accepter plusieurs."),
    )
    territory = CodesFilter(
        field_name="territories__code",
        choices=_territory_choices,
        distinct=True,
        help_text=_("Territoire (code INSEE, « R » + code pour une région) ; répétable."),
    )
    origin = filters.CharFilter(
        lookup_expr="icontains",
        max_length=Project._meta.get_field("origin").max_length,
        help_text=_("Origine contenant ce texte, par ex. « Nantes »."),
    )
    q = filters.CharFilter(
        method="search",
        max_length=200,
        help_text=_(
            "Recherche dans le titre, le résumé et le problème traité, sans tenir compte "
            "des majuscules ni des accents."
        ),
    )
    mine = filters.ChoiceFilter(
        method="only_mine",
        choices=[("true", "true"), ("false", "false")],
        help_text=_("« true » : seulement les projets dont je fais partie de l'équipe."),
    )

    class Meta:
        model = Project
        fields = ["stage", "theme", "territory", "origin", "q", "mine"]

    def search(self, queryset, name, value):
        # Every word must appear somewhere; a bounded number of words keeps the query small.
        queryset = queryset.alias(
            title_folded=folded("title"),
            summary_folded=folded("summary"),
            problem_folded=folded("problem"),
        )
        for word in value.split()[:MAX_SEARCH_WORDS]:
            word = folded(Value(word))
            queryset = queryset.filter(
                Q(title_folded__contains=word)
                | Q(summary_folded__contains=word)
                | Q(problem_folded__contains=word)
            )
        return queryset

    def only_mine(self, queryset, name, value):
        if value != "true":
            return queryset
        user = self.request.user if self.request else None
        if user is None or not user.is_authenticated:
            # Nobody's projects: an empty selection that stays a plain query, since callers
            # (the portfolio) use it as a subquery where .none() raises EmptyResultSet.
            return queryset.filter(pk__isnull=True)
        return queryset.filter(memberships__user=user)
