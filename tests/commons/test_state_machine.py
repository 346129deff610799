"""Random sequences of reuse and renewal actions by random people, through the services only,
with time moving on.

Hypothesis drives declare (valid and invalid SIREN/SIRET, URIs, territories, the same
organisation twice) / verify / refuse / confirm / the clock (reuses lapsing, renewals opened
when due or on a signal) / open a renewal / vote renewed, at risk or dormant / approve at the
commons gate (the verification that meets the criterion advances), by every role (a team
member who is also in the reviewers group included), with reviewers and declarers joining and
leaving the team in between, and checks after every step that:
- the commons gate's computed reuse criterion is verified iff the verified reuses declared by
  people outside the team (counted here, not by the code under test) reach the gate's N;
- a reuse's status is the last word of its history, which starts with its declaration, and
  nobody verified their own declaration;
- at most one renewal review is open per project; a commons' status is the outcome of its
  last decided review (``renewed`` before any); every decided review had the quorum of one
  outcome among its counted votes, and no open one has it;
- a refused action changes nothing, and only the people allowed succeed; the project's
  event seqs have no gap.
Each example runs in a transaction rolled back at its end, so examples start from scratch.
"""

from datetime import timedelta

import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from commons import services
from commons.models import Commons, RenewalReview, RenewalVote, Reuse, ReuseEvent
from notifications.models import Notification
from projects.errors import ServiceError
from projects.models import Membership, Project, ProjectEvent, Stage
from projects.services import add_member, remove_member
from tests.workflows.conftest import attest_all, pass_gate, verify_all
from workflows import gates
from workflows import services as workflow_services
from workflows.models import ChecklistItem, Computed, Gate, GateStage, StageTransition

TEAM = {"owner", "member"}
REVIEWERS = {"reviewer", "reviewer2", "reviewer3"}
PEOPLE = ["owner", "member", "reviewer", "reviewer2", "reviewer3", "funder", "curator", "stranger"]
# Organisations: two bodies by SIRET, one by its SIREN and a SIRET of it (the same body),
# one by URI, a wrong check digit, and none at all.
ORGANISATIONS = {
    "plouguerneau": {"siret": "21290177100015"},
    "reze": {"siret": "21440143500018"},
    "siren": {"siret": "732829320"},
    "siret_of_siren": {"siret": "73282932000074"},
    "uri": {"organisation_uri": "https://asso.example.org/"},
    "bad_key": {"siret": "732829321"},
    "nothing": {},
}
BODY_OF = {"siren": "732829320", "siret_of_siren": "732829320"}
TERRITORIES = st.sampled_from(["29", "44", "R52", "ZZ"])
OUTCOMES = st.sampled_from(["renewed", "renewed", "at_risk", "dormant", "peut-être"])
FINE_TEXTS = st.sampled_from(["Argumenté.", "Vu.", "Voilà."])
TEXTS = st.one_of(FINE_TEXTS, FINE_TEXTS, st.sampled_from(["", "   ", "x" * 5001]))
VOTERS = st.sampled_from(sorted(REVIEWERS | {"curator"}))
NOTES = st.sampled_from(["", "Vu.", "x" * 2001])
# What a reuse's status is after each action of its history.
STATUS_AFTER = {
    "declared": "declared",
    "verified": "verified",
    "refused": "refused",
    "confirmed": "verified",
    "lapsed": "lapsed",
}


def fine(text: str, limit: int) -> bool:
    return bool(text.strip()) and len(text) <= limit


def anyone():
    return st.sampled_from(PEOPLE)


def reviewers_first():
    """Half the time a reviewer or the curator, else anyone."""
    return st.one_of(st.sampled_from(sorted(REVIEWERS | {"curator"})), anyone())


class CommonsMachine(RuleBasedStateMachine):
    def __init__(self, cast, project):
        super().__init__()
        self.cast = cast
        self.project = project
        self.team = set(TEAM)
        self.clock = None
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.project.refresh_from_db()  # at idea again: the last example was rolled back

    def teardown(self):
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)
        if self.clock is not None:
            self.clock.stop()

    # Helpers -------------------------------------------------------------------------------

    def project_now(self) -> Project:
        return Project.objects.get(pk=self.project.pk)

    def at_commons(self) -> bool:
        return self.project_now().stage == Stage.COMMONS

    def gate(self) -> Gate:
        return Gate.objects.get(stage=GateStage.COMMONS)

    def reviewers_now(self) -> set[str]:
        """Who may verify a reuse or vote on a renewal: the gate's pool (every reviewer, the
        member in the reviewers group, the curator), never the team."""
        return (REVIEWERS | {"member", "curator"}) - self.team

    def fingerprint(self):
        project = Project.objects.values_list("stage", "event_seq", "updated_at").get(
            pk=self.project.pk
        )
        return (
            project,
            list(Reuse.objects.order_by("id").values_list("id", "status", "confirmed_at", "note")),
            list(
                RenewalReview.objects.order_by("id").values_list(
                    "id", "status", "outcome", "decided_at"
                )
            ),
            list(
                Commons.objects.values_list(
                    "status", "renewal_due", "recovery_plan", "recovery_due", "since"
                )
            ),
            list(ChecklistItem.objects.order_by("id").values_list("id", "status")),
            [
                model.objects.count()
                for model in (
                    ReuseEvent,
                    RenewalVote,
                    ProjectEvent,
                    Notification,
                    StageTransition,
                    Membership,
                )
            ],
        )

    def attempt(self, who: str, action: str, call, *, may: bool, valid_input: bool = True):
        """One service call: a refusal writes nothing; a success comes from someone who
        ``may`` act, with valid input."""
        before = self.fingerprint()
        try:
            result = call(self.cast[who])
        except ServiceError as refusal:
            assert refusal.status in (400, 401, 403, 404, 409)
            assert self.fingerprint() == before, f"{who}: {action} refused ({refusal.code}) wrote"
            return None
        assert may, f"{who} may not {action}, yet succeeded"
        assert valid_input, f"{action} by {who} accepted invalid input"
        return result

    def reuse(self, pick: int) -> Reuse:
        reuses = list(Reuse.objects.filter(project=self.project).order_by("id"))
        return reuses[pick % len(reuses)]

    def has_reuses(self) -> bool:
        return Reuse.objects.filter(project=self.project).exists()

    def open_review(self) -> RenewalReview | None:
        return RenewalReview.objects.filter(project=self.project, status="open").first()

    def counted(self) -> int:
        """Verified reuses declared by people outside the team, counted here."""
        declarers = Reuse.objects.filter(project=self.project, status="verified").values_list(
            "declared_by__username", flat=True
        )
        return sum(name not in self.team for name in declarers)

    # Start ---------------------------------------------------------------------------------

    @initialize(
        start=st.sampled_from(["commons", "pilot_under_review", "commons", "pilot"]),
        required=st.sampled_from([1, 1, 2]),
    )
    def start_somewhere(self, start, required):
        """At pilot (maybe with the commons gate's review open and its items verified, so
        that a verified reuse advances it) or already a commons, needing one or two reuses."""
        self.clock = time_machine.travel(timezone.now(), tick=True)
        self.traveller = self.clock.start()
        Gate.objects.filter(stage=GateStage.COMMONS).update(reuses_required=required)
        owner, reviewers = self.cast["owner"], [self.cast["reviewer"], self.cast["reviewer2"]]
        for _gate in range(3 if start == "commons" else 2):
            pass_gate(self.project, owner, reviewers)
        self.project.refresh_from_db()
        if start == "pilot_under_review":
            attest_all(self.project, owner)
            workflow_services.open_review(by=owner, project=self.project)
            verify_all(self.project, self.cast["reviewer"])
        # The walk's own declarer (outside the team) stays outside it.

    # Reuses --------------------------------------------------------------------------------

    @rule(
        who=anyone(),
        organisation=st.sampled_from(sorted(ORGANISATIONS)),
        territory=TERRITORIES,
        kind=st.sampled_from(["as_is", "adapted", "fork", "inspired", "copie"]),
    )
    def declare(self, who, organisation, territory, kind):
        fields = {
            "organisation": f"Organisation {organisation}",
            **ORGANISATIONS[organisation],
            "territory": territory,
            "kind": kind,
            "use_case": "Ateliers numériques.",
            "contact": "contact@example.org",
        }
        valid = organisation not in ("bad_key", "nothing") and territory != "ZZ"
        valid = valid and kind != "copie"
        body = BODY_OF.get(organisation, ORGANISATIONS[organisation].get("siret"))
        live = Reuse.objects.filter(project=self.project, status__in=["declared", "verified"])
        taken = any(
            (
                reuse.siret[:9] == body
                if body
                else reuse.organisation_uri == fields.get("organisation_uri")
            )
            for reuse in live
        )
        self.attempt(
            who,
            "declare",
            lambda by: services.declare_reuse(by=by, project=self.project, **fields),
            may=True,
            valid_input=valid and not taken,
        )

    @precondition(has_reuses)
    @rule(pick=st.integers(0, 20), who=reviewers_first(), note=NOTES)
    def verify(self, pick, who, note):
        """A reviewer outside the team verifies; the team and the declarer are refused."""
        reuse = self.reuse(pick)
        before = self.project_now().stage
        done = self.attempt(
            who,
            "verify",
            lambda by: services.verify_reuse(by=by, reuse=reuse, note=note),
            may=who in self.reviewers_now()
            and who != reuse.declared_by.username
            and reuse.status == "declared",
            valid_input=len(note) <= 2000,
        )
        if done is not None and who in self.team:
            raise AssertionError("a team member verified a reuse")
        if self.project_now().stage != before:
            assert before == Stage.PILOT and self.project_now().stage == Stage.COMMONS
            assert self.counted() >= self.gate().reuses_required, "advanced without its reuses"

    @precondition(has_reuses)
    @rule(pick=st.integers(0, 20), who=reviewers_first(), note=NOTES)
    def refuse(self, pick, who, note):
        reuse = self.reuse(pick)
        self.attempt(
            who,
            "refuse",
            lambda by: services.refuse_reuse(by=by, reuse=reuse, note=note),
            may=who in self.reviewers_now() and reuse.status == "declared",
            valid_input=fine(note, 2000),
        )

    @precondition(has_reuses)
    @rule(pick=st.integers(0, 20), data=st.data())
    def confirm(self, pick, data):
        """Mostly its declarer, sometimes anyone, confirms that a reuse still holds."""
        reuse = self.reuse(pick)
        who = data.draw(st.one_of(st.just(reuse.declared_by.username), anyone()), label="who")
        if who not in self.cast:
            return  # the walk's declarer, not in the cast
        self.attempt(
            who,
            "confirm",
            lambda by: services.confirm_reuse(by=by, reuse=reuse),
            may=who == reuse.declared_by.username and reuse.status == "verified",
        )

    @rule(days=st.sampled_from([1, 30, 120, 200, 340]))
    def time_passes(self, days):
        """Time moves on and the clock runs its daily jobs: unconfirmed reuses lapse,
        renewals open when due or on a signal; dormant commons are left alone; a second run
        finds nothing to do."""
        self.traveller.shift(timedelta(days=days))
        dormant = Commons.objects.filter(project=self.project, status="dormant").exists()
        before = RenewalReview.objects.filter(project=self.project).count()
        services.lapse_due_reuses()
        services.open_due_renewals()
        opened = RenewalReview.objects.filter(project=self.project).count() - before
        assert opened <= 1
        if dormant:
            assert opened == 0, "the clock opened a renewal of a dormant commons"
        if opened:
            assert self.at_commons()
        assert services.lapse_due_reuses() == 0
        assert services.open_due_renewals() == 0

    # The commons gate ----------------------------------------------------------------------

    @precondition(lambda self: gates.open_review(self.project) is not None)
    @rule(who=reviewers_first())
    def approve(self, who):
        review = gates.open_review(self.project)
        self.attempt(
            who,
            "decide",
            lambda by: workflow_services.decide(
                by=by, review=review, verdict="approve", rationale="Oui."
            ),
            may=who in self.reviewers_now(),
        )

    # Renewals ------------------------------------------------------------------------------

    @precondition(at_commons)
    @rule(who=reviewers_first())
    def open_renewal(self, who):
        """Reviewers open one at any time; the team when the commons is at risk or dormant
        (to revive it); once."""
        row = Commons.objects.filter(project=self.project).first()
        status = row.status if row else "renewed"
        reviewer = who in self.reviewers_now()
        self.attempt(
            who,
            "open_renewal",
            lambda by: services.open_renewal(by=by, project=self.project),
            may=self.at_commons()
            and self.open_review() is None
            and (reviewer or (who in self.team and status != "renewed")),
        )

    @precondition(lambda self: self.open_review() is not None)
    @rule(
        votes=st.lists(
            st.tuples(
                st.one_of(VOTERS, VOTERS, anyone()),
                OUTCOMES,
                st.one_of(FINE_TEXTS, TEXTS),
                st.sampled_from(["fine", "fine", "", "past"]),
            ),
            min_size=1,
            max_size=3,
        )
    )
    def vote(self, votes):
        """One to three votes in a row on the review open at the start of the step; an
        ``at_risk`` vote carries a plan and a due date, fine or not."""
        review = self.open_review()
        for who, outcome, rationale, plan in votes:
            due = timezone.localdate() + timedelta(days=-2 if plan == "past" else 60)
            recovery = "Trouver une deuxième mainteneuse." if plan else ""
            voted = review.votes.filter(reviewer__username=who).exists()
            closed = RenewalReview.objects.get(pk=review.pk).status != "open"
            self.attempt(
                who,
                "vote",
                lambda by, outcome=outcome, rationale=rationale, recovery=recovery, due=due: (
                    services.vote_renewal(
                        by=by,
                        review=review,
                        outcome=outcome,
                        rationale=rationale,
                        recovery_plan=recovery,
                        recovery_due=due,
                    )
                ),
                may=who in self.reviewers_now() and not voted and not closed,
                valid_input=outcome in ("renewed", "at_risk", "dormant")
                and fine(rationale, 5000)
                and (outcome != "at_risk" or plan == "fine"),
            )

    @precondition(lambda self: self.open_review() is not None)
    @rule(outcome=st.sampled_from(["renewed", "at_risk", "dormant"]))
    def reviewers_agree(self, outcome):
        """The reviewers outside the team who have not voted yet agree on one outcome, in
        turn, until the review is decided."""
        review = self.open_review()
        for who in sorted(self.reviewers_now()):
            if RenewalReview.objects.get(pk=review.pk).status != "open":
                break
            if review.votes.filter(reviewer__username=who).exists():
                continue
            self.attempt(
                who,
                "vote",
                lambda by: services.vote_renewal(
                    by=by,
                    review=review,
                    outcome=outcome,
                    rationale="D'accord.",
                    recovery_plan="Trouver une deuxième mainteneuse.",
                    recovery_due=timezone.localdate() + timedelta(days=90),
                ),
                may=True,
            )

    # The team ------------------------------------------------------------------------------

    @rule(who=st.sampled_from(sorted(REVIEWERS | {"stranger", "funder"})))
    def join_team(self, who):
        """A reviewer or a declarer joins the team: their votes and their reuses stop
        counting from now on."""
        if who not in self.team:
            add_member(by=self.cast["owner"], project=self.project, user_id=self.cast[who].pk)
            self.team.add(who)

    @rule(who=st.sampled_from(sorted(REVIEWERS | {"stranger", "funder"})))
    def leave_team(self, who):
        """Someone who joined leaves, unless they voted on the open renewal (their vote would
        count again with no event to decide it)."""
        review = self.open_review()
        voted = review is not None and review.votes.filter(reviewer=self.cast[who]).exists()
        if who in self.team and not voted:
            remove_member(by=self.cast["owner"], project=self.project, user_id=self.cast[who].pk)
            self.team.discard(who)

    # Invariants ----------------------------------------------------------------------------

    @invariant()
    def the_reuse_criterion_follows_the_verified_reuses_outside_the_team(self):
        project = self.project_now()
        if project.next_stage != Stage.COMMONS:
            return
        item = ChecklistItem.objects.get(
            project=project,
            criterion__gate__stage=GateStage.COMMONS,
            criterion__computed=Computed.REUSES,
        )
        met = self.counted() >= self.gate().reuses_required
        assert (item.status == "verified") == met, (item.status, self.counted())

    @invariant()
    def a_reuse_is_the_last_word_of_its_history(self):
        for reuse in Reuse.objects.filter(project=self.project).prefetch_related("history"):
            history = list(reuse.history.all())
            assert history and history[0].action == "declared"
            assert history[0].actor_id == reuse.declared_by_id
            assert all(event.action != "declared" for event in history[1:])
            assert STATUS_AFTER[history[-1].action] == reuse.status
            for event in history:
                if event.action == "verified":
                    assert event.actor_id != reuse.declared_by_id

    @invariant()
    def one_open_renewal_and_the_commons_takes_its_last_decision(self):
        reviews = RenewalReview.objects.filter(project=self.project)
        assert reviews.filter(status="open").count() <= 1
        if not self.at_commons():
            assert not reviews.exists()
            return
        decided = reviews.filter(status="decided").order_by("decided_at", "id").last()
        row = Commons.objects.filter(project=self.project).first()
        status = row.status if row else "renewed"
        assert status == (decided.outcome if decided else "renewed")
        if status == "at_risk":
            vote = decided.votes.filter(outcome="at_risk").order_by("at", "id").last()
            assert row.recovery_plan and row.recovery_due == row.renewal_due
            assert vote.recovery_due == row.recovery_due
        else:
            assert row is None or (row.recovery_plan, row.recovery_due) == ("", None)
        quorum = self.gate().quorum
        for review in reviews:
            tally = {}
            for outcome in services.counted_votes(review).values_list("outcome", flat=True):
                tally[outcome] = tally.get(outcome, 0) + 1
            if review.status == "open":
                assert max(tally.values(), default=0) < quorum, "quorum reached, undecided"
                assert review.outcome == "" and review.decided_at is None
            else:
                assert review.outcome and review.votes.filter(outcome=review.outcome).count() >= (
                    quorum
                )

    @invariant()
    def events_have_no_gaps(self):
        project = self.project_now()
        seqs = list(ProjectEvent.objects.filter(project=project).values_list("seq", flat=True))
        assert seqs == list(range(1, project.event_seq + 1))


def test_random_reuses_and_renewals_keep_every_invariant(
    make_user, project, owner, member, reviewer, reviewer2, funder, curator, stranger
):
    member.groups.add(*reviewer.groups.all())  # a reviewer on their own team
    cast = {
        person.username: person
        for person in (owner, member, reviewer, reviewer2, funder, curator, stranger)
    }
    cast["reviewer3"] = make_user("reviewer3", "reviewers")
    run_state_machine_as_test(
        lambda: CommonsMachine(cast, project),
        settings=settings(
            max_examples=30,
            stateful_step_count=40,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
