from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.models import Project

from . import publiccode


class PublicCodeProfile(models.Model):
    """What a project's publiccode.yml needs beyond the project's own description: English
    texts, features, platforms, software type, maintenance and localisation. Filled by the
    team (the form or an imported publiccode.yml); one per project, created on first save."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="publiccode")
    long_description_fr = models.TextField(
        _("description longue (français)"),
        max_length=publiccode.LONG_MAX,
        blank=True,
        help_text=_("150 à 10 000 caractères. Vide : le résumé, le problème et le public."),
    )
    short_description_en = models.CharField(
        _("description courte (anglais)"), max_length=publiccode.SHORT_MAX, blank=True
    )
    long_description_en = models.TextField(
        _("description longue (anglais)"), max_length=publiccode.LONG_MAX, blank=True
    )
    features_fr = models.JSONField(_("fonctionnalités (français)"), default=list, blank=True)
    features_en = models.JSONField(_("fonctionnalités (anglais)"), default=list, blank=True)
    platforms = models.JSONField(_("plateformes"), default=list, blank=True)
    software_type = models.CharField(
        _("type de logiciel"),
        max_length=24,
        blank=True,
        choices=[(value, value) for value in publiccode.SOFTWARE_TYPES],
    )
    maintenance_type = models.CharField(
        _("type de maintenance"),
        max_length=12,
        blank=True,
        choices=[
            ("internal", _("interne (l'équipe du projet)")),
            ("contract", _("sous contrat")),
            ("community", _("communauté")),
            ("none", _("aucune")),
        ],
    )
    contacts = models.JSONField(_("contacts de maintenance"), default=list, blank=True)
    contractors = models.JSONField(_("prestataires de maintenance"), default=list, blank=True)
    localisation_ready = models.BooleanField(_("prêt pour la traduction"), null=True, blank=True)
    available_languages = models.JSONField(_("langues disponibles"), default=list, blank=True)
    used_by = models.JSONField(_("utilisé par"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"publiccode.yml of {self.project_id}"
