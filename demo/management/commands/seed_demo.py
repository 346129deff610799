"""Demo data: one account per role and a catalogue of digital-mediation projects.

Idempotent: accounts are created once (their passwords are reset to the printed ones on
every run), catalogue projects are recognised by title and seeded once. Every stage change
goes through ``workflows.services``, so the histories, checklists and reviews are real;
each story is written at its own dates over the last 18 months (a simulated clock), with
its conversations, and each account keeps only its latest notifications unread.
``--scale N`` adds generated projects until there are N of them (see ``demo_scale``).
"""

import datetime
import time

import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from commons import read as commons_read
from commons import services as commons_services
from demo import scale as demo_scale
from discussion.services import post_comment
from notifications.models import Notification
from notifications.services import mark_read
from projects import services as project_services
from projects.models import Project, Role
from workflows import gates, lifecycle, services
from workflows.models import Criterion, Decision

User = get_user_model()

# (username, first name, groups, what they can try)
ACCOUNTS = [
    ("curatrice", "Claire", ["curators"], "curatrice : configure les grilles, rouvre, modère"),
    ("relecteur", "Rémi", ["reviewers"], "relecteur : vérifie les critères, décide des revues"),
    ("relectrice", "Rosa", ["reviewers"], "relectrice : seconde voix pour les quorums de 2"),
    ("financeuse", "Fatou", ["funders"], "financeuse : lit tout, tableau de bord du portefeuille"),
    ("porteuse", "Pauline", [], "porteuse de projets (et membre d'autres équipes)"),
    ("porteur", "Paul", [], "porteur de projets (et membre d'autres équipes)"),
    ("citoyenne", "Inès", [], "personne connectée sans rôle : propose, suit, commente"),
]

# Each project: owner, member, fields, then the story that brings it to its stage.
# Story steps: "advance" (checklist attested and verified, review approved), "changes"
# (review answered with requested changes), "open" (review left open), "progress" (half
# the checklist attested), "send_back", "archive", "reopen"; for commons, "early_reuse" (an
# organisation's reuse verified at the start, which lapses a year on without confirmation)
# and the outcome of a renewal review a year after graduation: "renew", "at_risk", "dormant".
CATALOGUE = [
    (
        "porteuse",
        "porteur",
        {
            "title": "La Fabrique du Lien, tiers-lieu numérique rural",
            "repository_url": "https://forge.example.org/nec/fabrique-du-lien",
            "website_url": "https://fabrique-du-lien.example.org",
            "summary": "Un tiers-lieu itinérant qui ouvre des ateliers numériques dans les "
            "villages de la Creuse, avec une méthode d'essaimage documentée.",
            "problem": "Les habitants des communes rurales sont loin des lieux de médiation.",
            "public_served": "Habitants des bourgs ruraux, secrétaires de mairie.",
            "origin": "NEC 2018 Nantes",
            "licence": "CC-BY-SA-4.0",
            "themes": ["third-places", "mediation"],
            "territories": ["23", "R75"],
        },
        ["advance", "advance", "advance", "renew"],
    ),
    (
        "porteuse",
        "",
        {
            "title": "Kit « Premiers pas numériques » pour les France Services",
            "repository_url": "https://forge.example.org/nec/premiers-pas",
            "website_url": "https://premiers-pas.example.org",
            "summary": "Un kit d'ateliers prêts à animer pour accompagner les premières "
            "démarches en ligne dans les espaces France Services.",
            "problem": "Les agents d'accueil manquent de supports pour les débutants.",
            "public_served": "Personnes éloignées du numérique, agents d'accueil.",
            "origin": "NEC 2019 Nantes",
            "licence": "CC-BY-SA-4.0",
            "themes": ["inclusion", "public-services"],
            "territories": ["44", "R52"],
        },
        ["early_reuse", "advance", "advance", "advance", "dormant"],
    ),
    (
        "porteur",
        "porteuse",
        {
            "title": "Parcours de formation des médiateurs numériques en Bretagne",
            "repository_url": "https://forge.example.org/nec/parcours-mediateurs-bretagne",
            "website_url": "https://parcours-mediateurs-bretagne.example.org",
            "summary": "Un parcours de formation continue, en modules ouverts, pour les "
            "médiateurs et conseillers numériques bretons.",
            "problem": "Les médiateurs se forment seuls et les contenus ne circulent pas.",
            "public_served": "Médiateurs numériques, animateurs d'espaces publics numériques.",
            "origin": "Rencontre régionale Bretagne",
            "licence": "CC-BY-4.0",
            "themes": ["training", "mediation"],
            "territories": ["29", "35", "R53"],
        },
        ["advance", "advance", "open"],
    ),
    (
        "porteuse",
        "",
        {
            "title": "Ma Commune Accessible, audit RGAA simplifié",
            "repository_url": "https://forge.example.org/nec/ma-commune-accessible",
            "website_url": "https://ma-commune-accessible.example.org",
            "summary": "Un outil en ligne qui guide les petites communes dans l'audit "
            "d'accessibilité de leur site web.",
            "problem": "Les petites communes n'ont ni budget ni expertise pour le RGAA.",
            "public_served": "Secrétaires de mairie, élus, personnes handicapées.",
            "origin": "NEC 2021 Lens",
            "licence": "AGPL-3.0",
            "themes": ["accessibility", "public-services"],
            "territories": ["62"],
        },
        ["advance", "progress", "hold"],
    ),
    (
        "porteur",
        "",
        {
            "title": "Données ouvertes des lieux de médiation numérique",
            "repository_url": "https://forge.example.org/nec/lieux-mediation-donnees",
            "website_url": "https://lieux-mediation-donnees.example.org",
            "summary": "Un schéma de données et un jeu consolidé des lieux de médiation "
            "numérique, mis à jour par les acteurs eux-mêmes.",
            "problem": "Chacun tient sa propre carte et aucune n'est à jour.",
            "public_served": "Collectivités, réseaux de médiation, habitants.",
            "origin": "Hackathon données ouvertes",
            "licence": "ODbL-1.0",
            "themes": ["open-data", "mediation"],
            "territories": ["R11", "R84"],
        },
        ["early_reuse", "advance", "advance", "advance", "at_risk"],
    ),
    (
        "porteuse",
        "porteur",
        {
            "title": "Pass numérique solidaire, carnet de chèques de médiation",
            "repository_url": "https://forge.example.org/nec/pass-numerique-solidaire",
            "website_url": "https://pass-numerique-solidaire.example.org",
            "summary": "Des chèques prépayés donnant accès à des ateliers de médiation "
            "chez des partenaires labellisés.",
            "problem": "Les personnes orientées vers la médiation ne peuvent pas la payer.",
            "public_served": "Bénéficiaires des minima sociaux.",
            "origin": "NEC 2019 Nantes",
            "themes": ["inclusion"],
            "territories": ["33"],
        },
        ["advance", "compost"],
    ),
    (
        "porteur",
        "",
        {
            "title": "Bus numérique itinérant du Cantal",
            "repository_url": "https://forge.example.org/nec/bus-numerique-cantal",
            "website_url": "https://bus-numerique-cantal.example.org",
            "summary": "Un bus équipé qui tient des permanences numériques sur les marchés "
            "et dans les bourgs du Cantal.",
            "problem": "Les services publics ferment leurs guichets de proximité.",
            "public_served": "Personnes âgées, agriculteurs, habitants isolés.",
            "origin": "NEC 2022 Chaumont",
            "licence": "CC-BY-SA-4.0",
            "themes": ["mediation", "public-services"],
            "territories": ["15", "R84"],
        },
        ["advance", "changes"],
    ),
    (
        "porteuse",
        "",
        {
            "title": "Fiches pratiques pour les aidants des travailleurs sociaux",
            "repository_url": "https://forge.example.org/nec/fiches-aidants",
            "website_url": "https://fiches-aidants.example.org",
            "summary": "Des fiches courtes pour aider les travailleurs sociaux à "
            "accompagner les démarches en ligne sans faire à la place.",
            "problem": "Les travailleurs sociaux font les démarches à la place des personnes.",
            "public_served": "Travailleurs sociaux, associations d'aide.",
            "origin": "NEC 2023 Bordeaux",
            "themes": ["public-services", "training"],
            "territories": ["59"],
        },
        ["progress"],
    ),
    (
        "porteur",
        "",
        {
            "title": "Atelier sobriété : réparer et reconditionner",
            "repository_url": "https://forge.example.org/nec/atelier-sobriete",
            "website_url": "https://atelier-sobriete.example.org",
            "summary": "Des ateliers où les habitants apprennent à réparer et reconditionner "
            "leurs ordinateurs et téléphones.",
            "problem": "Le prix du matériel exclut, et le matériel jeté pollue.",
            "public_served": "Familles modestes, étudiants.",
            "origin": "NEC 2024 Marseille",
            "themes": ["sustainability", "digital-literacy"],
            "territories": ["13"],
        },
        ["advance", "conditions_due"],
    ),
    (
        "porteuse",
        "porteur",
        {
            "title": "Cartographie participative des tiers-lieux d'Occitanie",
            "repository_url": "https://forge.example.org/nec/cartographie-tiers-lieux",
            "website_url": "https://cartographie-tiers-lieux.example.org",
            "summary": "Une carte contributive des tiers-lieux et de leurs services "
            "numériques, alimentée par les lieux eux-mêmes.",
            "problem": "Les habitants ne savent pas où trouver un accompagnement.",
            "public_served": "Habitants, réseaux de tiers-lieux.",
            "origin": "NEC 2021 Lens",
            "licence": "AGPL-3.0",
            "themes": ["third-places", "open-data"],
            "territories": ["31", "34", "R76"],
        },
        ["advance", "advance", "send_back"],
    ),
    (
        "porteur",
        "",
        {
            "title": "Démarches en ligne en FALC (facile à lire et à comprendre)",
            "repository_url": "https://forge.example.org/nec/demarches-falc",
            "website_url": "https://demarches-falc.example.org",
            "summary": "Des guides en FALC, co-écrits avec des personnes concernées, pour "
            "les démarches en ligne les plus courantes.",
            "problem": "Les démarches en ligne sont écrites pour des lecteurs experts.",
            "public_served": "Personnes avec une déficience intellectuelle, allophones.",
            "origin": "NEC 2022 Chaumont",
            "licence": "CC-BY-SA-4.0",
            "visibility": "restricted",
            "themes": ["accessibility", "inclusion"],
            "territories": ["69"],
        },
        ["advance", "conditions_missed"],
    ),
    (
        "porteuse",
        "",
        {
            "title": "Jeunes ambassadeurs du numérique en quartier prioritaire",
            "repository_url": "https://forge.example.org/nec/jeunes-ambassadeurs",
            "website_url": "https://jeunes-ambassadeurs.example.org",
            "summary": "Des jeunes formés et rémunérés pour accompagner leurs voisins dans "
            "leurs usages numériques.",
            "problem": "Les jeunes des quartiers sont peu reconnus pour leurs compétences.",
            "public_served": "Jeunes de 16 à 25 ans, habitants des quartiers prioritaires.",
            "origin": "Appel à projets France Services",
            "visibility": "restricted",
            "themes": ["youth", "employment"],
            "territories": ["93"],
        },
        [],
    ),
    (
        "porteur",
        "porteuse",
        {
            "title": "Observatoire territorial de l'inclusion numérique",
            "repository_url": "https://forge.example.org/nec/observatoire-inclusion",
            "website_url": "https://observatoire-inclusion.example.org",
            "summary": "Des indicateurs ouverts sur la fragilité numérique, commune par "
            "commune, pour orienter l'action publique.",
            "problem": "Les collectivités décident sans données partagées.",
            "public_served": "Collectivités, préfectures, réseaux de médiation.",
            "origin": "NEC 2018 Nantes",
            "licence": "EUPL-1.2",
            "themes": ["open-data", "inclusion"],
            "territories": ["R32", "R44"],
        },
        ["advance", "archive", "reopen"],
    ),
    (
        "porteur",
        "",
        {
            "title": "Médiathèque connectée : prêt de tablettes adaptées",
            "repository_url": "https://forge.example.org/nec/mediatheque-connectee",
            "website_url": "https://mediatheque-connectee.example.org",
            "summary": "Un service de prêt de tablettes configurées pour les personnes "
            "âgées, avec un accompagnement à domicile.",
            "problem": "Les personnes âgées n'ont pas d'équipement adapté.",
            "public_served": "Personnes âgées à domicile, aidants familiaux.",
            "origin": "NEC 2023 Bordeaux",
            "themes": ["inclusion", "digital-literacy"],
            "territories": ["58"],
        },
        [],
    ),
]

WRITTEN = {
    "projects": "projets",
    "themes": "thèmes attribués",
    "territories": "territoires attribués",
    "memberships": "membres d'équipe",
    "follows": "abonnements",
    "reviews": "revues",
    "decisions": "décisions",
    "transitions": "changements d'étape",
    "checklist_items": "critères de grille",
    "comments": "commentaires",
    "reuses": "réutilisations déclarées",
}

# Conversations, each a first message and an answer from the team, posted along the story.
THREADS = [
    (
        "financeuse",
        "Où en est la recherche de cofinancement pour l'année prochaine ? Le conseil "
        "départemental a rouvert son appel à projets inclusion numérique.",
        "Merci Fatou ! Nous déposons un dossier en mars, avec la lettre de soutien de deux "
        "communes.",
    ),
    (
        "relecteur",
        "Merci pour la documentation d'installation, elle est claire et complète. Pensez à "
        "indiquer la version de l'outil testée par chaque structure.",
        "Bonne idée, c'est ajouté dans le tableau des déploiements.",
    ),
    (
        "citoyenne",
        "Nous aimerions reprendre ce projet dans notre commune, qui contacter ?",
        "Écrivez-nous par la discussion ou lors de notre permanence du jeudi : nous vous "
        "enverrons le guide de démarrage.",
    ),
    (
        "relectrice",
        "Les retours des bénéficiaires sont précieux. Avez-vous gardé une trace des ateliers "
        "qui ont moins bien marché ? Ça aiderait ceux qui veulent dupliquer.",
        "Oui, le compte rendu des trois premiers mois est dans le wiki, section « bilans ».",
    ),
    (
        "curatrice",
        "Pour le passage à l'étape suivante, la grille demande une licence explicite sur les "
        "supports pédagogiques : CC BY-SA vous conviendrait-elle ?",
        "C'est la licence que nous visions, nous l'ajoutons dans chaque fichier.",
    ),
]
# What a team member says of their own progress, with a mention for a teammate.
NEWS = [
    "Nouvelle version des supports en ligne, relue par @{member}.",
    "Premier atelier mené hors de notre territoire : merci à @{member} pour l'animation !",
    "Les fiches sont traduites en anglais et en arabe, @{member} a vérifié la mise en page.",
]
# Today, read when the command loads, before any story moves the clock: conditions still due
# and holds still to revisit are dated from it.
TODAY = datetime.date.today()
# How long ago the stories begin: the longest ones about 18 months ago.
HISTORY_DAYS = 540


class Command(BaseCommand):
    help = "Crée les comptes et projets de démonstration (idempotent) et affiche les accès."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            help="ajoute des projets générés jusqu'à en avoir N (banc d'essai)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="autorise la commande en production (les mots de passe sont publics)",
        )

    def handle(self, *args, scale: int, force: bool, **options):
        if settings.PRODUCTION and not force:
            raise CommandError(
                "seed_demo crée des comptes aux mots de passe publics : "
                "refusé en production (ajoutez --force pour une base de démonstration)."
            )
        if not 0 <= scale <= 1_000_000:
            raise CommandError("--scale doit être compris entre 0 et 1 000 000.")
        people = seed_accounts()
        created = list(seed_catalogue(people))
        read_old_notifications(people)
        if created:
            self.stdout.write(f"{len(created)} projets de démonstration créés.")
        missing = scale - demo_scale.generated_count()
        if missing > 0:
            started = time.monotonic()
            reviewers = [people["relecteur"], people["relectrice"]]
            written = demo_scale.generate(missing, reviewers=reviewers)
            summary = ", ".join(f"{n} {WRITTEN.get(kind, kind)}" for kind, n in written.items())
            self.stdout.write(
                f"Portefeuille généré en {time.monotonic() - started:.0f} s : {summary}"
            )
        self.stdout.write("Comptes de démonstration (identifiant / mot de passe) :")
        for username, _, _, role in ACCOUNTS:
            self.stdout.write(f"  {username:<11} / {password_of(username):<22} {role}")


def password_of(username: str) -> str:
    return f"{username}-demo-nec"


@transaction.atomic
def seed_accounts() -> dict:
    people = {}
    for username, first_name, groups, _ in ACCOUNTS:
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first_name, "email": f"{username}@example.org"},
        )
        user.set_password(password_of(username))
        user.is_active = True
        # Curators configure gates and criteria in the admin too (README): staff, with the
        # curators group's permissions only (never superuser).
        user.is_staff = "curators" in groups
        user.save(update_fields=["password", "is_active", "is_staff"])
        user.groups.add(*Group.objects.filter(name__in=groups))
        people[username] = user
    return people


class Clock:
    """The simulated time of one story: every service called in it writes the dates of that
    moment (time-machine moves the clock; no timestamp is rewritten afterwards)."""

    def __init__(self, traveller, start):
        self.traveller, self.now = traveller, start

    def wait(self, *, days: float = 0, hours: float = 0) -> None:
        self.now += datetime.timedelta(days=days, hours=hours)
        self.traveller.move_to(self.now)


def _story_days(index: int, story: list) -> int:
    """How long ago a catalogue project was proposed: the longer its story, the earlier,
    spread a little so that the months differ."""
    return min(HISTORY_DAYS, 75 + 140 * len(story) + (index * 37) % 60)


def seed_catalogue(people: dict):
    """Seed each missing catalogue project in its own transaction, its story written at its
    dates over the last 18 months; yield the new titles."""
    existing = set(
        Project.objects.filter(
            title__in=[fields["title"] for _, _, fields, _ in CATALOGUE]
        ).values_list("title", flat=True)
    )
    now = timezone.now()
    for index, (owner, member, fields, story) in enumerate(CATALOGUE):
        if fields["title"] in existing:
            continue
        days = _story_days(index, story)
        start = now - datetime.timedelta(days=days)
        # Each step gets an equal share of the time, the last ten days left quiet.
        span = (days - 10) / max(len(story), 1)
        # The stories overlap in time and are written one after the other, so a person's
        # later messages would count as "in the last minute" for the rate limit.
        unlimited = override_settings(COMMENT_RATE=(10**6, 60))
        with unlimited, time_machine.travel(start, tick=False) as traveller, transaction.atomic():
            clock = Clock(traveller, start)
            project = services.propose_project(by=people[owner], **fields)
            clock.wait(days=2)
            if member:
                project_services.add_member(
                    by=people[owner], project=project, user_id=people[member].pk, role=Role.MEMBER
                )
            project_services.follow_project(by=people["financeuse"], project=project)
            threads = [THREADS[(index + n) % len(THREADS)] for n in range(2)]
            for number, step in enumerate(story):
                project.refresh_from_db()
                ends = clock.now + datetime.timedelta(days=span)
                STEPS[step](project, people, owner=people[owner], clock=clock, span=span)
                if number < len(threads):
                    _converse(project, people, owner, threads[number], clock)
                if member and number == 0:
                    news = NEWS[index % len(NEWS)].format(member=member)
                    post_comment(by=people[owner], project=project, body=news)
                clock.wait(days=max((ends - clock.now).total_seconds() / 86400, 0))
            for thread in threads[len(story) :]:
                clock.wait(days=3)
                _converse(project, people, owner, thread, clock)
        yield fields["title"]


def _converse(project, people, owner: str, thread: tuple, clock: Clock) -> None:
    author, question, answer = thread
    if project.visibility == "restricted" and author == "citoyenne":
        author = "financeuse"
    comment, _ = post_comment(by=people[author], project=project, body=question)
    clock.wait(hours=20)
    post_comment(by=people[owner], project=project, body=answer, parent=comment.pk)
    clock.wait(days=1)


def read_old_notifications(people: dict, *, kept: int = 5) -> None:
    """People have read their older news: each demo account keeps its ``kept`` latest
    notifications unread, as someone who signs in now and then would."""
    for user in people.values():
        unread = Notification.objects.filter(recipient=user, read_at=None)
        ids = list(unread.order_by("-created_at", "-id").values_list("pk", flat=True)[kept:])
        if ids:
            mark_read(by=user, ids=ids)


def _attest(project, owner, clock: Clock, days: float, *, only_half: bool = False) -> None:
    """The team answers its checklist, one criterion after the other over ``days``."""
    items = [
        i for i in gates.checklist_for(project) if not gates.is_done(i) and not i.criterion.computed
    ]
    if only_half:
        items = items[: len(items) // 2]
    for item in items:
        clock.wait(days=days / max(len(items), 1))
        if item.required or item.criterion.evidence != Criterion.Evidence.TEXT:
            criterion = item.criterion
            url = f"{project.repository_url}/-/blob/main/docs/{criterion.code}.md"
            text = f"Voir « {criterion.title_fr} » dans la documentation du projet."
            services.attest_item(
                by=owner,
                item=item,
                evidence_url=url if criterion.evidence != Criterion.Evidence.TEXT else "",
                evidence_text=text if criterion.evidence != Criterion.Evidence.LINK else "",
            )
        else:
            services.claim_not_applicable(
                by=owner,
                item=item,
                justification="Ce critère recommandé ne s'applique pas encore à notre public.",
            )


def _reviewers(people) -> list:
    return [people["relecteur"], people["relectrice"]]


def _verify(project, reviewer, clock: Clock, days: float, *, only_half=False) -> None:
    items = [
        i for i in gates.checklist_for(project) if not gates.is_done(i) and not i.criterion.computed
    ]
    if only_half:
        items = items[: len(items) // 2]
    for item in items:
        clock.wait(days=days / max(len(items), 1))
        services.verify_item(by=reviewer, item=item, note="Preuve consultée, conforme.")


def advance(project, people, *, owner, clock, span) -> None:
    """Attest, open the review, verify every item, approve until the project moves: the
    team takes about half the time, the reviewers a few weeks."""
    stage = project.stage
    _attest(project, owner, clock, span * 0.5)
    clock.wait(days=2)
    review = services.open_review(by=owner, project=project)
    _verify(project, _reviewers(people)[0], clock, span * 0.15)
    if project.next_stage == "commons" and not commons_read.counted_reuses(project):
        # The commons gate's reuse criterion: an organisation outside the team declares it.
        _reuse(project, people, clock, REUSERS[project.pk % len(REUSERS)])
    for reviewer in _reviewers(people):
        if Project.objects.get(pk=project.pk).stage != stage:
            break
        clock.wait(days=span * 0.06)
        services.decide(
            by=reviewer,
            review=review,
            verdict=Decision.Verdict.APPROVE,
            rationale="Les critères requis sont vérifiés et les preuves publiées.",
        )


def request_changes(project, people, *, owner, clock, span) -> None:
    _attest(project, owner, clock, span * 0.5)
    clock.wait(days=2)
    review = services.open_review(by=owner, project=project)
    clock.wait(days=span * 0.2)
    services.decide(
        by=_reviewers(people)[0],
        review=review,
        verdict=Decision.Verdict.REQUEST_CHANGES,
        rationale="La documentation d'installation n'a pas été testée par une autre équipe.",
    )


def leave_open(project, people, *, owner, clock, span) -> None:
    """A review still open, weeks later: one approval, half the items verified."""
    _attest(project, owner, clock, span * 0.3)
    clock.wait(days=2)
    review = services.open_review(by=owner, project=project)
    _verify(project, _reviewers(people)[1], clock, span * 0.1, only_half=True)
    clock.wait(days=3)
    services.decide(
        by=_reviewers(people)[1],
        review=review,
        verdict=Decision.Verdict.APPROVE,
        rationale="Favorable, en attente de la seconde relecture.",
    )


def progress(project, people, *, owner, clock, span) -> None:
    _attest(project, owner, clock, span * 0.6, only_half=True)


def send_back(project, people, *, owner, clock, span) -> None:
    clock.wait(days=span * 0.5)
    services.send_back(
        by=_reviewers(people)[1],
        project=project,
        rationale="Le pilote n'a pas de partenaire territorial confirmé.",
    )


def archive(project, people, *, owner, clock, span) -> None:
    clock.wait(days=span * 0.4)
    services.archive(
        by=owner, project=project, rationale="Le financement du pilote n'a pas été renouvelé."
    )


def reopen(project, people, *, owner, clock, span) -> None:
    clock.wait(days=span * 0.6)
    services.reopen(
        by=people["curatrice"],
        project=project,
        rationale="Une nouvelle équipe régionale reprend le projet.",
    )


def _advance_with_a_condition(project, people, *, owner, clock, span, due) -> None:
    """As ``advance``, the second reviewer approving with one condition for the member."""
    stage = project.stage
    _attest(project, owner, clock, span * 0.5)
    clock.wait(days=2)
    review = services.open_review(by=owner, project=project)
    _verify(project, _reviewers(people)[0], clock, span * 0.15)
    first, second = _reviewers(people)
    clock.wait(days=span * 0.06)
    services.decide(
        by=first,
        review=review,
        verdict=Decision.Verdict.APPROVE,
        rationale="Les critères requis sont vérifiés et les preuves publiées.",
    )
    if Project.objects.get(pk=project.pk).stage != stage:
        return
    clock.wait(days=span * 0.06)
    team = [m.user_id for m in project.memberships.order_by("-role")]
    services.decide(
        by=second,
        review=review,
        verdict=Decision.Verdict.APPROVE_WITH_CONDITIONS,
        rationale="D'accord, à condition qu'une autre structure teste l'installation.",
        conditions=[
            {
                "text": "Faire tester le guide d'installation par une structure extérieure.",
                "owner": team[0],
                "due_on": due(),
            }
        ],
    )


def conditions_due(project, people, *, owner, clock, span) -> None:
    """An approval with a condition still open, due three weeks from today."""
    _advance_with_a_condition(
        project,
        people,
        owner=owner,
        clock=clock,
        span=span,
        due=lambda: (TODAY + datetime.timedelta(days=21)).isoformat(),
    )


def conditions_missed(project, people, *, owner, clock, span) -> None:
    """An approval with a condition due a month later, missed: the clock closes it."""
    _advance_with_a_condition(
        project,
        people,
        owner=owner,
        clock=clock,
        span=span,
        due=lambda: (clock.now.date() + datetime.timedelta(days=30)).isoformat(),
    )
    clock.wait(days=32)
    for condition in project.conditions.filter(status="open"):
        lifecycle.miss_condition(condition)


def hold(project, people, *, owner, clock, span) -> None:
    """The curator pauses the project until a funding decision, a month from today."""
    clock.wait(days=span * 0.3)
    lifecycle.hold(
        by=people["curatrice"],
        project=project,
        reason="En attente de la décision de cofinancement de la région.",
        revisit_on=TODAY + datetime.timedelta(days=30),
    )


def compost(project, people, *, owner, clock, span) -> None:
    clock.wait(days=span * 0.4)
    lifecycle.compost(
        by=owner,
        project=project,
        tried="Des ateliers numériques dans les agences pour l'emploi, deux après-midi par "
        "semaine, animés par des médiateurs bénévoles.",
        worked="Le repérage des besoins à l'accueil et les fiches pas à pas imprimées.",
        failed="Le financement du pilote n'a pas été renouvelé, et les bénévoles seuls ne "
        "tenaient pas la régularité.",
        reusable="Les fiches pas à pas (CC BY-SA), la grille de repérage et le guide d'animation.",
        links=["https://forge.example.org/nec/ateliers-emploi"],
    )


# Organisations that reuse the demo's commons: (name, SIRET or "", URI, INSEE code, kind).
REUSERS = [
    ("Commune de Plouguerneau", "21290177100015", "", "29", "as_is"),
    ("Médiathèque de Rezé", "21440143500018", "", "44", "adapted"),
    ("Département du Cantal", "221500010", "", "15", "adapted"),
    ("Tiers-lieu La Bricole, Lille", "", "https://labricole.example.org/", "59", "fork"),
    ("Région Occitanie", "200053791", "", "R76", "inspired"),
    ("Centre social de Fort-de-France", "", "https://cs-fdf.example.org/", "972", "as_is"),
    ("Communauté de communes du Haut-Jura", "", "https://hautjura.example.org/", "39", "fork"),
]


def _reuse(project, people, clock: Clock, reuser, *, verify: bool = True):
    name, siret, uri, territory, kind = reuser
    clock.wait(days=3)
    reuse = commons_services.declare_reuse(
        by=people["citoyenne"],
        project=project,
        organisation=name,
        siret=siret,
        organisation_uri=uri,
        territory=territory,
        kind=kind,
        version="v1.2",
        use_case="Ateliers de médiation numérique pour les habitants, animés par nos agents.",
        contact=f"numerique@{territory.lower()}.example.org",
    )
    if verify:
        clock.wait(days=4)
        commons_services.verify_reuse(
            by=_reviewers(people)[1], reuse=reuse, note="Échange avec l'organisation, instance vue."
        )
    return reuse


def early_reuse(project, people, *, owner, clock, span) -> None:
    _reuse(project, people, clock, REUSERS[(project.pk + 3) % len(REUSERS)])


def _renewal(project, people, clock: Clock, outcome: str, rationale: str, **extra) -> None:
    """A year on: the clock lapses the reuses nobody confirmed, a reviewer opens the renewal
    review, both reviewers decide."""
    commons_services.lapse_due_reuses()
    clock.wait(days=2)
    review = commons_services.open_renewal(by=_reviewers(people)[0], project=project)
    for reviewer in _reviewers(people):
        clock.wait(days=5)
        commons_services.vote_renewal(
            by=reviewer, review=review, outcome=outcome, rationale=rationale, **extra
        )


def renew(project, people, *, owner, clock, span) -> None:
    clock.wait(days=span * 0.3)
    for n in (1, 4):
        _reuse(project, people, clock, REUSERS[(project.pk + n) % len(REUSERS)])
    _reuse(project, people, clock, REUSERS[(project.pk + 5) % len(REUSERS)], verify=False)
    _renewal(project, people, clock, "renewed", "Trois réutilisations vérifiées, dépôt actif.")


def at_risk(project, people, *, owner, clock, span) -> None:
    clock.wait(days=span * 0.4)
    due = (clock.now + datetime.timedelta(days=120)).date()
    _renewal(
        project,
        people,
        clock,
        "at_risk",
        "La réutilisation vérifiée est échue et une seule personne maintient le code.",
        recovery_plan="Trouver une seconde structure de maintenance et faire confirmer "
        "une réutilisation.",
        recovery_due=due,
    )


def dormant(project, people, *, owner, clock, span) -> None:
    clock.wait(days=span * 0.4)
    _renewal(project, people, clock, "dormant", "Plus d'activité ni de réutilisation confirmée.")


STEPS = {
    "early_reuse": early_reuse,
    "renew": renew,
    "at_risk": at_risk,
    "dormant": dormant,
    "advance": advance,
    "conditions_due": conditions_due,
    "conditions_missed": conditions_missed,
    "hold": hold,
    "compost": compost,
    "changes": request_changes,
    "open": leave_open,
    "progress": progress,
    "send_back": send_back,
    "archive": archive,
    "reopen": reopen,
}
