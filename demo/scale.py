"""A large, realistic portfolio for benchmarks and demos (``seed_demo --scale N``).

Rows are written in bulk, and the stage audit still holds: projects are inserted at
``idea`` (as the database demands), their StageTransitions are inserted round by round (the
k-th move of every project in round k), and after each round one UPDATE per kind of move
sets the stages, so every stage change matches the project's newest StageTransition, as
the trigger checks. Team permissions are derived from memberships with the same rule as
``projects.permissions``.
"""

import datetime
import random
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from commons.models import Reuse, ReuseEvent
from discussion.models import Comment
from discussion.services import render
from projects.models import (
    NEXT_STAGE,
    PATH,
    PREVIOUS_STAGE,
    Follow,
    Membership,
    Project,
    Role,
    Stage,
    Territory,
    Theme,
    Visibility,
)
from projects.permissions import sync_permissions_of
from workflows.models import (
    ChecklistItem,
    Computed,
    Criterion,
    Decision,
    Gate,
    GateReview,
    ItemStatus,
    Said,
    StageTransition,
)

User = get_user_model()
TEAM_PREFIX = "equipe-"
REVIEWER_PREFIX = "relecture-"
BATCH = 2000

KINDS = [
    "Tiers-lieu numérique",
    "Kit d'inclusion numérique",
    "Formation des médiateurs",
    "Permanence numérique itinérante",
    "Carte ouverte des lieux de médiation",
    "Atelier d'accessibilité numérique",
    "Données ouvertes du territoire",
    "Boîte à outils des aidants numériques",
    "Parcours d'autonomie en ligne",
    "Fablab solidaire",
    "Référentiel de compétences numériques",
    "Réseau des conseillers numériques",
]
PLACES = [
    "Saint-Nazaire",
    "Lens",
    "Chaumont",
    "Guéret",
    "Aurillac",
    "Vierzon",
    "Quimperlé",
    "Roubaix",
    "Mende",
    "Digne-les-Bains",
    "Saint-Denis",
    "Cayenne",
    "Montluçon",
    "Alès",
    "Nevers",
    "Lannion",
    "Tulle",
    "Sedan",
    "Pays de Redon",
    "Vallée de la Bruche",
]
PUBLICS = [
    "les personnes âgées isolées",
    "les demandeurs d'emploi",
    "les jeunes sans diplôme",
    "les personnes en situation de handicap",
    "les habitants des quartiers prioritaires",
    "les agents d'accueil des mairies",
    "les bénévoles associatifs",
    "les familles allophones",
]
ORIGINS = [
    "NEC 2018 Nantes",
    "NEC 2019 Nantes",
    "NEC 2021 Lens",
    "NEC 2022 Chaumont",
    "NEC 2023 Bordeaux",
    "NEC 2024 Marseille",
    "Rencontre régionale Bretagne",
    "Appel à projets France Services",
    "Hackathon données ouvertes",
    "",
]
COMMENTS = [
    "Merci pour la documentation, nous l'avons testée à la médiathèque.",
    "Pouvez-vous préciser le public visé pendant le pilote ?",
    "Le lien vers la licence ne fonctionne plus.",
    "Nous serions intéressés pour reprendre le kit dans notre département.",
    "La grille d'auto-évaluation RGAA est très claire, bravo.",
    "Quel est le calendrier pour la prochaine revue ?",
]
# (advance, send_back, archive) weights per stage
WEIGHTS = {
    Stage.IDEA: (80, 0, 20),
    Stage.PROTOTYPE: (45, 40, 15),
    Stage.PILOT: (40, 45, 15),
    Stage.COMMONS: (0, 80, 20),
}
RATIONALES = {
    "send_back": "Les preuves publiées ne suffisent pas encore pour cette étape.",
    "archive": "L'équipe s'est dissoute et personne ne reprend le projet pour l'instant.",
    "reopen": "Une nouvelle équipe reprend le projet.",
}


def generated_count() -> int:
    return (
        Membership.objects.filter(role=Role.OWNER, user__username__startswith=TEAM_PREFIX)
        .values("project_id")
        .distinct()
        .count()
    )


def _walk(rng: random.Random, start: datetime.datetime, now: datetime.datetime) -> list:
    """A project's plausible history: ``[(name, from, to, at)]``, about six moves on average,
    with projects going back and forth between gates, some archived and reopened."""
    moves, stage, at, left_from = [], Stage.IDEA, start, None
    length = rng.choice(range(14))
    while len(moves) < length:
        at = at + datetime.timedelta(days=rng.uniform(7, 75), minutes=rng.randint(0, 1440))
        if at >= now:
            break
        if stage == Stage.ARCHIVED:
            name, target = "reopen", left_from
        else:
            name = rng.choices(["advance", "send_back", "archive"], weights=WEIGHTS[stage])[0]
        if name == "advance":
            target = NEXT_STAGE[stage]
        elif name == "send_back":
            target = PREVIOUS_STAGE[stage]
        elif name == "archive":
            target, left_from = Stage.ARCHIVED, stage
        moves.append((name, stage, target, at))
        stage = target
    return moves


@transaction.atomic
def generate(count: int, *, reviewers: list, seed: int = 2018) -> dict:
    """Add ``count`` generated projects with teams, histories, reviews, checklists, comments.
    Returns how many rows of each kind were written."""
    rng = random.Random(seed + generated_count())
    now = timezone.now()
    gates = {gate.stage: gate for gate in Gate.objects.all()}
    criteria = defaultdict(list)
    for criterion in Criterion.objects.filter(active=True).order_by("position", "id"):
        criteria[criterion.gate_id].append(criterion)
    themes = list(Theme.objects.values_list("slug", flat=True))
    departements = list(
        Territory.objects.filter(kind=Territory.Kind.DEPARTEMENT).values_list("code", flat=True)
    )
    regions = list(
        Territory.objects.filter(kind=Territory.Kind.REGION).values_list("code", flat=True)
    )
    pool = _reviewer_pool(reviewers)
    people = _team_people(max(4, count // 3))

    projects, histories = [], []
    for _ in range(count):
        created = now - datetime.timedelta(days=rng.uniform(1, 6 * 365))
        kind, place, public = rng.choice(KINDS), rng.choice(PLACES), rng.choice(PUBLICS)
        projects.append(
            Project(
                title=f"{kind} — {place}",
                summary=f"{kind} pour {public}, porté par des acteurs de {place}.",
                problem=f"À {place}, {public} peinent à accéder aux services en ligne.",
                public_served=public.capitalize(),
                origin=rng.choice(ORIGINS),
                licence=rng.choice(["AGPL-3.0", "EUPL-1.2", "CC-BY-SA-4.0", ""]),
                visibility=Visibility.RESTRICTED if rng.random() < 0.15 else Visibility.PUBLIC,
            )
        )
        histories.append((created, _walk(rng, created, now)))
    Project.objects.bulk_create(projects, batch_size=BATCH)

    written = defaultdict(int)
    written["projects"] = len(projects)
    _link_taxonomy(rng, projects, themes, departements, regions, written)
    teams = _teams(rng, projects, people, written)
    reviews_by_move = _reviews(rng, projects, histories, gates, pool, teams, written)
    _transitions(projects, histories, reviews_by_move, gates, criteria, written)
    counted = _reuses(
        rng, projects, histories, gates, pool, people, teams, departements, now, written
    )
    _checklists(rng, projects, histories, gates, criteria, teams, counted, written)
    _comments(rng, projects, histories, teams, pool, now, written)

    for project, (created, moves) in zip(projects, histories, strict=True):
        project.created_at = created
        project.stage_changed_at = moves[-1][3] if moves else created
        project.updated_at = project.stage_changed_at
    Project.objects.bulk_update(
        projects, ["created_at", "stage_changed_at", "updated_at"], batch_size=BATCH
    )
    return dict(written)


def _reviewer_pool(reviewers: list) -> list:
    group = Group.objects.get(name="reviewers")
    existing = {u.username: u for u in User.objects.filter(username__startswith=REVIEWER_PREFIX)}
    names = [f"{REVIEWER_PREFIX}{i:02d}" for i in range(1, 9)]
    missing = [name for name in names if name not in existing]
    if missing:
        created = User.objects.bulk_create(
            User(username=name, email=f"{name}@example.org", password=make_password(None))
            for name in missing
        )
        group.user_set.add(*created)
        existing.update({u.username: u for u in created})
    return [*reviewers, *existing.values()]


def _team_people(wanted: int) -> list:
    have = User.objects.filter(username__startswith=TEAM_PREFIX).count()
    if have < wanted:
        password = make_password(None)
        User.objects.bulk_create(
            (
                User(username=f"{TEAM_PREFIX}{i:05d}", email="", password=password)
                for i in range(have + 1, wanted + 1)
            ),
            batch_size=BATCH,
        )
    return list(User.objects.filter(username__startswith=TEAM_PREFIX).values_list("pk", flat=True))


def _link_taxonomy(rng, projects, themes, departements, regions, written) -> None:
    theme_rows, territory_rows = [], []
    ThemeLink, TerritoryLink = Project.themes.through, Project.territories.through
    for project in projects:
        for slug in rng.sample(themes, rng.randint(1, 3)):
            theme_rows.append(ThemeLink(project_id=project.pk, theme_id=slug))
        places = rng.sample(departements, rng.randint(1, 2))
        if rng.random() < 0.3:
            places.append(rng.choice(regions))
        for code in places:
            territory_rows.append(TerritoryLink(project_id=project.pk, territory_id=code))
    ThemeLink.objects.bulk_create(theme_rows, batch_size=BATCH)
    TerritoryLink.objects.bulk_create(territory_rows, batch_size=BATCH)
    written["themes"], written["territories"] = len(theme_rows), len(territory_rows)


def _teams(rng, projects, people, written) -> dict[int, list[int]]:
    """One owner and up to two members per project, their guardian rows (derived by
    ``sync_permissions_of``, as every team change does), a few followers."""
    teams, memberships, follows = {}, [], []
    for project in projects:
        team = rng.sample(people, min(len(people), rng.randint(1, 3)))
        teams[project.pk] = team
        for index, user_id in enumerate(team):
            role = Role.OWNER if index == 0 else Role.MEMBER
            memberships.append(Membership(project_id=project.pk, user_id=user_id, role=role))
        outsiders = [p for p in rng.sample(people, min(len(people), 3)) if p not in team]
        follows.extend(
            Follow(project_id=project.pk, user_id=user_id)
            for user_id in outsiders[: rng.randint(0, 2)]
        )
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    sync_permissions_of([project.pk for project in projects], batch_size=BATCH)
    Follow.objects.bulk_create(follows, batch_size=BATCH)
    written["memberships"], written["follows"] = len(memberships), len(follows)
    return teams


def _reviews(rng, projects, histories, gates, pool, teams, written) -> dict:
    """Every advance gets the review that approved it (sometimes after one that asked for
    changes or was rejected); some projects have a review open for their next gate."""
    reviews, votes, approving = [], [], {}
    for project, (created, moves) in zip(projects, histories, strict=True):
        outsiders = [r for r in pool if r.pk not in teams[project.pk]]
        for index, (name, _, target, at) in enumerate(moves):
            if name != "advance":
                continue
            gate = gates[target]
            opened = at - datetime.timedelta(days=rng.uniform(3, 45))
            if rng.random() < 0.3:
                earlier = opened - datetime.timedelta(days=rng.uniform(10, 60))
                verdict, status = rng.choice(
                    [
                        ("request_changes", GateReview.Status.CHANGES_REQUESTED),
                        ("request_changes", GateReview.Status.CHANGES_REQUESTED),
                        ("reject", GateReview.Status.REJECTED),
                    ]
                )
                closed = earlier + datetime.timedelta(days=rng.uniform(2, 30))
                review = GateReview(
                    project_id=project.pk,
                    gate=gate,
                    status=status,
                    opened_by_id=teams[project.pk][0],
                    opened_at=max(earlier, created),
                    closed_at=closed,
                )
                reviews.append(review)
                votes.append((review, [(rng.choice(outsiders), verdict, closed)]))
            review = GateReview(
                project_id=project.pk,
                gate=gate,
                status=GateReview.Status.APPROVED,
                opened_by_id=teams[project.pk][0],
                opened_at=max(opened, created),
                closed_at=at,
            )
            reviews.append(review)
            approvers = rng.sample(outsiders, min(gate.quorum, len(outsiders)))
            votes.append((review, [(r, "approve", at) for r in approvers]))
            approving[(project.pk, index)] = review
        stage = moves[-1][2] if moves else Stage.IDEA
        if stage in NEXT_STAGE and rng.random() < 0.12:
            review = GateReview(
                project_id=project.pk,
                gate=gates[NEXT_STAGE[stage]],
                opened_by_id=teams[project.pk][0],
                opened_at=(moves[-1][3] if moves else created) + datetime.timedelta(days=5),
            )
            reviews.append(review)
            votes.append((review, []))
    GateReview.objects.bulk_create(reviews, batch_size=BATCH)
    decisions = [
        Decision(
            review_id=review.pk,
            reviewer=reviewer,
            verdict=verdict,
            rationale="Les preuves sont publiées et vérifiables."
            if verdict == "approve"
            else "Il manque des éléments de preuve sur plusieurs critères.",
            at=at,
        )
        for review, cast in votes
        for reviewer, verdict, at in cast
    ]
    Decision.objects.bulk_create(decisions, batch_size=BATCH)
    written["reviews"], written["decisions"] = len(reviews), len(decisions)
    return approving


def _transitions(projects, histories, approving, gates, criteria, written) -> None:
    """Round k inserts every project's k-th move, then moves the stages to match."""
    rounds = max((len(moves) for _, moves in histories), default=0)
    for k in range(rounds):
        rows, moved = [], defaultdict(list)
        for project, (_, moves) in zip(projects, histories, strict=True):
            if len(moves) <= k:
                continue
            name, before, after, at = moves[k]
            review = approving.get((project.pk, k))
            snapshot = (
                [
                    {"criterion": c.code, "principle": c.principle, "status": "verified"}
                    for c in criteria[gates[after].pk]
                ]
                if review
                else []
            )
            rows.append(
                StageTransition(
                    project_id=project.pk,
                    name=name,
                    from_stage=before,
                    to_stage=after,
                    at=at,
                    review=review,
                    # An approval's passage is the system's sentence, stored as its code.
                    rationale=RATIONALES.get(name, ""),
                    said=None if name in RATIONALES else Said.GATE_APPROVED,
                    checklist=snapshot,
                )
            )
            moved[(before, after)].append(project.pk)
        StageTransition.objects.bulk_create(rows, batch_size=BATCH)
        for (before, after), ids in moved.items():
            for start in range(0, len(ids), BATCH):
                Project.objects.filter(pk__in=ids[start : start + BATCH], stage=before).update(
                    stage=after
                )
        written["transitions"] += len(rows)


REUSERS = [
    ("Commune", "mairie"),
    ("Médiathèque", "mediatheque"),
    ("Centre social", "centre-social"),
    ("Association", "asso"),
]


def _reuses(rng, projects, histories, gates, pool, people, teams, places, now, written) -> dict:
    """Reuses declared by people outside the team and verified by a reviewer outside it who
    did not declare them, each with its history (declared, verified): enough for every
    project that passed the commons gate, some for those on their way to it. A few more stay
    declared. Returns the verified ones per project, which the computed reuse criterion
    follows (it is never attested by hand)."""
    required = gates[Stage.COMMONS].reuses_required
    reuses, counted = [], defaultdict(int)
    for project, (_created, moves) in zip(projects, histories, strict=True):
        stage = moves[-1][2] if moves else Stage.IDEA
        passed = any(name == "advance" and to == Stage.COMMONS for name, _, to, _ in moves)
        if passed:
            verified = required + rng.randint(0, 2)
        elif stage == Stage.PILOT:
            verified = rng.randint(0, required)
        else:
            continue
        declarers = [pk for pk in people if pk not in teams[project.pk]]
        verifiers = [r for r in pool if r.pk not in teams[project.pk]]
        # Declared before the commons gate was passed, or since the project reached pilot.
        if passed:
            gate_at = next(at for name, _, to, at in moves if name == "advance" and to == "commons")
            start, end = gate_at - datetime.timedelta(days=60), gate_at
        else:
            start, end = moves[-1][3], now
        for n in range(verified + rng.randint(0, 1)):
            label, host = rng.choice(REUSERS)
            place = rng.choice(places)
            declared = start + (end - start) * rng.uniform(0, 0.8)
            is_verified = n < verified
            checked = declared + (end - declared) * rng.uniform(0.1, 1)
            # Confirmed by its declarer within the year: none is due to lapse yet.
            confirmed = max(checked, now - datetime.timedelta(days=rng.uniform(1, 300)))
            reuses.append(
                (
                    Reuse(
                        project_id=project.pk,
                        organisation=f"{label} ({place})",
                        organisation_uri=f"https://{host}-{place.lower()}-{project.pk}-{n}.example.org/",
                        territory_id=place,
                        kind=rng.choice(Reuse.Kind.values),
                        use_case="Ateliers et permanences pour le public du territoire.",
                        contact=f"{host}@example.org",
                        declared_by_id=rng.choice(declarers),
                        declared_at=declared,
                        status=Reuse.Status.VERIFIED if is_verified else Reuse.Status.DECLARED,
                        confirmed_at=confirmed if is_verified else None,
                    ),
                    (rng.choice(verifiers), checked) if is_verified else None,
                )
            )
            counted[project.pk] += is_verified
    Reuse.objects.bulk_create([reuse for reuse, _ in reuses], batch_size=BATCH)
    history = []
    for reuse, verification in reuses:
        history.append(
            ReuseEvent(
                reuse=reuse, action="declared", actor_id=reuse.declared_by_id, at=reuse.declared_at
            )
        )
        if verification is not None:
            verifier, at = verification
            history.append(ReuseEvent(reuse=reuse, action="verified", actor=verifier, at=at))
            if reuse.confirmed_at > at:
                history.append(
                    ReuseEvent(
                        reuse=reuse,
                        action="confirmed",
                        actor_id=reuse.declared_by_id,
                        at=reuse.confirmed_at,
                    )
                )
    ReuseEvent.objects.bulk_create(history, batch_size=BATCH)
    written["reuses"] = len(reuses)
    return counted


def _checklists(rng, projects, histories, gates, criteria, teams, counted, written) -> None:
    """Items for every gate a project was handed (the next gate of each stage it entered):
    verified for gates it passed, work in progress for its next gate; a computed criterion
    is verified exactly when the project's verified reuses reach the gate's threshold."""
    items = []
    for project, (_, moves) in zip(projects, histories, strict=True):
        entered = {Stage.IDEA, *(target for _, _, target, _ in moves)}
        passed = {target for name, _, target, _ in moves if name == "advance"}
        progress = rng.random()
        for stage in PATH:
            if stage not in entered or stage not in NEXT_STAGE:
                continue
            gate = NEXT_STAGE[stage]
            for criterion in criteria[gates[gate].pk]:
                required = criterion.level == Criterion.Level.REQUIRED
                status, accepted = _item_status(rng, gate in passed, required, progress)
                if criterion.computed == Computed.REUSES:
                    met = counted[project.pk] >= gates[gate].reuses_required
                    status, accepted = (ItemStatus.VERIFIED if met else ItemStatus.TODO), False
                items.append(
                    ChecklistItem(
                        project_id=project.pk,
                        criterion=criterion,
                        required=required,
                        status=status,
                        na_accepted=accepted,
                        evidence_url=f"https://forge.example.org/projets/{project.pk}/{criterion.code}"
                        if status in (ItemStatus.ATTESTED, ItemStatus.VERIFIED)
                        and not criterion.computed
                        else "",
                        justification="Sans objet pour un projet sans données personnelles."
                        if status == ItemStatus.NOT_APPLICABLE
                        else "",
                        updated_by_id=teams[project.pk][0],
                    )
                )
    ChecklistItem.objects.bulk_create(items, batch_size=BATCH)
    written["checklist_items"] = len(items)


def _item_status(rng, passed: bool, required: bool, progress: float) -> tuple[str, bool]:
    if passed:
        if not required and rng.random() < 0.2:
            return ItemStatus.NOT_APPLICABLE, True
        return ItemStatus.VERIFIED, False
    roll = rng.random()
    if roll < 0.08 and not required:
        return ItemStatus.NOT_APPLICABLE, rng.random() < 0.5
    if roll < progress * 0.4:
        return ItemStatus.VERIFIED, False
    if roll < progress * 0.8:
        return ItemStatus.ATTESTED, False
    if roll < progress * 0.9:
        return ItemStatus.REJECTED, False
    return ItemStatus.TODO, False


def _comments(rng, projects, histories, teams, pool, now, written) -> None:
    comments, rendered = [], {body: render(body) for body in COMMENTS}
    for project, (created, _) in zip(projects, histories, strict=True):
        for _ in range(rng.randint(0, 4)):
            body = rng.choice(COMMENTS)
            author = rng.choice([*teams[project.pk], *(r.pk for r in pool[:3])])
            comments.append(
                Comment(
                    project_id=project.pk,
                    author_id=author,
                    body=body,
                    body_html=rendered[body],
                    created_at=created + (now - created) * rng.random(),
                )
            )
    Comment.objects.bulk_create(comments, batch_size=BATCH)
    written["comments"] = len(comments)
