"""Projects as the product builds them (with their checklists), ready for a publiccode.yml."""

import pytest

from interop import services as interop_services
from projects.models import Role
from projects.services import add_member
from workflows import services

LONG_FR = (
    "Le kit rassemble des fiches pratiques, des parcours d'atelier et des outils d'évaluation "
    "pour que les médiateurs numériques accompagnent les premiers pas en ligne des habitants."
)


@pytest.fixture
def propose(db):
    def make(owner, *, members=(), **fields):
        fields.setdefault("title", "Kit d'inclusion numérique")
        fields.setdefault("summary", "Un kit pour accompagner les premiers pas en ligne.")
        project = services.propose_project(by=owner, **fields)
        for person in members:
            add_member(by=owner, project=project, user_id=person.pk, role=Role.MEMBER)
        return project

    return make


COMPLETE = {
    "long_description_fr": LONG_FR,
    "features_fr": ["Fiches pratiques imprimables", "Parcours d'atelier"],
    "short_description_en": "A kit for first steps online.",
    "long_description_en": LONG_FR.replace("Le kit", "The kit") + " (in English)",
    "features_en": ["Printable how-to sheets"],
    "platforms": ["web"],
    "software_type": "standalone/web",
    "maintenance_type": "internal",
    "localisation_ready": True,
    "available_languages": ["fr", "en"],
}


@pytest.fixture
def complete_project(propose, owner, member):
    """A public project with everything its publiccode.yml needs."""
    project = propose(
        owner,
        members=[member],
        repository_url="https://forge.example.org/nec/kit",
        licence="EUPL-1.2",
    )
    interop_services.update_publiccode_profile(by=owner, project=project, **COMPLETE)
    return project
