"""Random sequences of workflow actions by random people, through the services only.

Hypothesis drives attest / claim not applicable / verify / reject / open / withdraw / decide
/ advance / send back / archive / reopen by every role (a team member who is also in the
reviewers group included), with reviewers joining and leaving the team in between, and
checks after every step that:
- the stage changes only with a StageTransition, and the history replays to the stage;
- every advance had its quorum, no reject and a complete checklist at that moment, votes
  by people then on the team not counting, and no open review ever meets those conditions
  without having advanced;
- a refused action changes nothing, and only the roles of the permissions table succeed.
Each example runs in a transaction rolled back at its end, so examples start from scratch.
"""

from django.db import transaction
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

from notifications.models import Notification
from projects.errors import ServiceError
from projects.models import Project, ProjectEvent, Stage
from projects.services import add_member, remove_member
from workflows import gates, services
from workflows.models import (
    ChecklistChange,
    ChecklistItem,
    Criterion,
    Decision,
    GateReview,
    ItemStatus,
    StageTransition,
)

from .conftest import attest_all, evidence_for, pass_gate

TEAM = {"owner", "member"}
REVIEWERS = {"reviewer", "reviewer2", "reviewer3"}
# Who may succeed at each action (DESIGN.md, permissions table) with the starting team; the
# machine recomputes it as reviewers join and leave (``WorkflowMachine.allowed``).
ALLOWED = {
    "attest": TEAM | {"curator"},
    "claim_not_applicable": TEAM | {"curator"},
    "open_review": TEAM | {"curator"},
    "withdraw": TEAM | {"curator"},
    "verify": REVIEWERS | {"curator"},
    "reject_item": REVIEWERS | {"curator"},
    "decide": REVIEWERS | {"curator"},
    "send_back": REVIEWERS | {"curator"},
    "advance": TEAM | REVIEWERS | {"curator"},
    "archive": {"owner", "curator"},
    "reopen": {"curator"},
}
EVIDENCE = {
    "fitting": None,
    "link": {"evidence_url": "https://forge.example.org/preuve"},
    "text": {"evidence_text": "Notre démarche, décrite."},
    "both": {"evidence_url": "http://exemple.fr/a", "evidence_text": "Et un texte."},
    "not_a_url": {"evidence_url": "javascript:alert(1)"},
    "ftp": {"evidence_url": "ftp://exemple.fr/fichier"},
    "long_url": {"evidence_url": "https://exemple.fr/" + "a" * 500},
    "long_text": {"evidence_text": "x" * 5001},
    "nothing": {},
}
# Mostly fine texts, some missing or oversized ones.
FINE_TEXTS = st.sampled_from(["Argumenté.", "Parce que.", "Voilà."])
TEXTS = st.one_of(FINE_TEXTS, FINE_TEXTS, FINE_TEXTS, st.sampled_from(["", "   ", "x" * 5001]))
NOTES = st.sampled_from(["", "Vu.", "x" * 2001])
VERDICTS = st.sampled_from(["approve", "approve", "request_changes", "reject", "peut-être"])
PEOPLE = ["owner", "member", "reviewer", "reviewer2", "reviewer3", "funder", "curator", "stranger"]


def conditions_met(project, review, team) -> bool:
    """The advance conditions, computed here rather than by the code under test: a quorum
    of approvals by people outside ``team`` (usernames), no reject by them, every required
    item of the gate verified or accepted as N/A."""
    votes = [
        verdict
        for who, verdict in review.decisions.values_list("reviewer__username", "verdict")
        if who not in team
    ]
    items = ChecklistItem.objects.filter(project=project, criterion__gate=review.gate)
    required = list(items.filter(required=True).values_list("status", "na_accepted"))
    return (
        votes.count("approve") >= review.gate.quorum
        and "reject" not in votes
        and bool(required)
        and all(
            status == "verified" or (status == "not_applicable" and accepted)
            for status, accepted in required
        )
    )


def fine(text: str, limit: int) -> bool:
    return bool(text.strip()) and len(text) <= limit


def evidence_fits(how: str, item: ChecklistItem) -> bool:
    """Whether the evidence offered is valid for this criterion."""
    wanted = item.criterion.evidence
    return (
        how in ("fitting", "both")
        or (how == "link" and wanted != Criterion.Evidence.TEXT)
        or (how == "text" and wanted != Criterion.Evidence.LINK)
    )


def people(action: str):
    """Half the time someone allowed to act, else anyone: enough successes for the project
    to travel, enough refusals to check that they write nothing."""
    return st.one_of(st.sampled_from(sorted(ALLOWED[action])), st.sampled_from(PEOPLE))


class WorkflowMachine(RuleBasedStateMachine):
    def __init__(self, cast):
        super().__init__()
        self.cast = cast
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.project = services.propose_project(
            by=cast["owner"], title="Atelier mobile", summary="Un atelier qui se déplace."
        )
        add_member(by=cast["owner"], project=self.project, user_id=cast["member"].pk)
        self.seen_transitions = 0
        self.seen_stage = Stage.IDEA
        self.team = set(TEAM)

    def allowed(self, action: str) -> set[str]:
        """``ALLOWED`` for the team as it is now: joining makes a reviewer a team member."""
        team_actions = {"attest", "claim_not_applicable", "open_review", "withdraw"}
        if action in team_actions:
            return self.team | {"curator"}
        if action in {"verify", "reject_item", "decide", "send_back"}:
            return (REVIEWERS - self.team) | {"curator"}
        return ALLOWED[action]

    def teardown(self):
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)

    # What a refused action must leave untouched.
    def fingerprint(self):
        project = Project.objects.values_list("stage", "event_seq", "updated_at").get(
            pk=self.project.pk
        )
        items = list(
            ChecklistItem.objects.filter(project=self.project)
            .order_by("id")
            .values_list(
                "id", "status", "evidence_url", "evidence_text", "justification", "na_accepted"
            )
        )
        reviews = list(
            GateReview.objects.filter(project=self.project)
            .order_by("id")
            .values_list("id", "status", "closed_at")
        )
        counts = [
            model.objects.count()
            for model in (Decision, StageTransition, ChecklistChange, ProjectEvent, Notification)
        ]
        return project, items, reviews, counts

    def attempt(self, who: str, action: str, call, *, valid_input: bool = True):
        """Run one service call: a refusal must write nothing; a success must come from a
        role allowed to act, with valid input."""
        before = self.fingerprint()
        try:
            result = call(self.cast[who])
        except ServiceError as refusal:
            assert refusal.status in (400, 401, 403, 404, 409)
            assert self.fingerprint() == before, f"{who}: {action} refused ({refusal.code}) wrote"
            return None
        assert who in self.allowed(action), f"{who} may not {action}, yet succeeded"
        assert valid_input, f"{action} by {who} accepted invalid input"
        return result

    def project_now(self) -> Project:
        return Project.objects.get(pk=self.project.pk)

    def item(self, pick: int) -> ChecklistItem:
        """Any item the project ever had, including those of gates already passed."""
        items = list(
            ChecklistItem.objects.filter(project=self.project)
            .select_related("criterion")
            .order_by("id")
        )
        return items[pick % len(items)]

    def under_review(self) -> bool:
        return gates.open_review(self.project) is not None

    def archived(self) -> bool:
        return self.project_now().stage == Stage.ARCHIVED

    @initialize(
        gates_passed=st.integers(0, 2), review=st.sampled_from(["none", "open", "approved"])
    )
    def start_somewhere_on_the_path(self, gates_passed, review):
        """Start at idea, prototype or pilot, maybe with a review open, maybe already
        approved before any verification, so that every gate, quorum and order of events
        gets exercised."""
        owner = self.cast["owner"]
        for _ in range(gates_passed):
            pass_gate(self.project, owner, [self.cast["reviewer"], self.cast["reviewer2"]])
        if review != "none":
            attest_all(self.project, owner)
            opened = services.open_review(by=owner, project=self.project)
        if review == "approved":
            for person in ("reviewer", "reviewer2")[: opened.gate.quorum]:
                services.decide(
                    by=self.cast[person], review=opened, verdict="approve", rationale="Oui."
                )

    @rule(
        data=st.data(),
        pick=st.integers(0, 50),
        edit=st.sampled_from(
            ["attest", "attest", "claim_not_applicable", "verify", "verify", "reject_item"]
        ),
    )
    def edit_item(self, data, pick, edit):
        """One item, one change: attest (with fitting or bad evidence), claim not applicable,
        verify or reject."""
        item = self.item(pick)
        who = data.draw(people(edit), label="who")
        if edit == "attest":
            how = data.draw(st.sampled_from(sorted(EVIDENCE)), label="evidence")
            fields = EVIDENCE[how] if EVIDENCE[how] is not None else evidence_for(item)
            self.attempt(
                who,
                edit,
                lambda by: services.attest_item(by=by, item=item, **fields),
                valid_input=evidence_fits(how, item),
            )
        elif edit == "claim_not_applicable":
            text = data.draw(TEXTS, label="justification")
            self.attempt(
                who,
                edit,
                lambda by: services.claim_not_applicable(by=by, item=item, justification=text),
                valid_input=fine(text, 2000),
            )
        else:
            note = data.draw(NOTES, label="note")
            service = services.verify_item if edit == "verify" else services.reject_item
            self.attempt(
                who,
                edit,
                lambda by: service(by=by, item=item, note=note),
                valid_input=len(note) <= 2000 and (edit == "verify" or fine(note, 2000)),
            )

    @precondition(lambda self: not self.under_review() and not self.archived())
    @rule(who=people("attest"))
    def answer_everything_and_open(self, who):
        """The team answers its whole checklist, item by item, then asks for a review."""
        for item in gates.checklist_for(self.project_now()):
            self.attempt(
                who,
                "attest",
                lambda by, item=item: services.attest_item(by=by, item=item, **evidence_for(item)),
            )
        self.open_review(who)

    @precondition(under_review)
    @rule(who=people("verify"))
    def verify_everything(self, who):
        for item in gates.checklist_for(self.project_now()):
            if item.status in (ItemStatus.ATTESTED, ItemStatus.NOT_APPLICABLE):
                self.attempt(
                    who, "verify", lambda by, item=item: services.verify_item(by=by, item=item)
                )

    @rule(who=people("open_review"))
    def open_review(self, who):
        self.attempt(
            who, "open_review", lambda by: services.open_review(by=by, project=self.project)
        )

    @precondition(under_review)
    @rule(who=people("withdraw"))
    def withdraw(self, who):
        review = gates.open_review(self.project)
        self.attempt(who, "withdraw", lambda by: services.withdraw_review(by=by, review=review))

    @precondition(under_review)
    @rule(votes=st.lists(st.tuples(people("decide"), VERDICTS, TEXTS), min_size=1, max_size=3))
    def decide(self, votes):
        """One to three votes in a row on the review open at the start of the step: once one
        of them closes it, the next ones meet a closed review."""
        review = gates.open_review(self.project)
        for who, verdict, rationale in votes:
            self.attempt(
                who,
                "decide",
                lambda by, verdict=verdict, rationale=rationale: services.decide(
                    by=by, review=review, verdict=verdict, rationale=rationale
                ),
                valid_input=verdict in Decision.Verdict.values and fine(rationale, 5000),
            )

    @rule(who=st.sampled_from(sorted(REVIEWERS)))
    def join_team(self, who):
        """A reviewer joins the team: from now on their votes do not count."""
        if who not in self.team:
            add_member(by=self.cast["owner"], project=self.project, user_id=self.cast[who].pk)
            self.team.add(who)

    @rule(who=st.sampled_from(sorted(REVIEWERS)))
    def leave_team(self, who):
        """A reviewer who joined leaves, unless they voted on the open review: their vote
        would count again with no event to advance the project (a later ``advance`` would)."""
        review = gates.open_review(self.project)
        voted = review is not None and review.decisions.filter(reviewer=self.cast[who]).exists()
        if who in self.team and not voted:
            remove_member(by=self.cast["owner"], project=self.project, user_id=self.cast[who].pk)
            self.team.discard(who)

    @rule(who=people("advance"))
    def advance(self, who):
        self.attempt(who, "advance", lambda by: services.advance(by=by, project=self.project))

    @rule(who=people("send_back"), rationale=TEXTS)
    def send_back(self, who, rationale):
        self.attempt(
            who,
            "send_back",
            lambda by: services.send_back(by=by, project=self.project, rationale=rationale),
            valid_input=fine(rationale, 5000),
        )

    # Anyone: archiving stops the project until a reopen, so it should stay rare.
    @rule(who=st.sampled_from(PEOPLE), rationale=TEXTS)
    def archive(self, who, rationale):
        self.attempt(
            who,
            "archive",
            lambda by: services.archive(by=by, project=self.project, rationale=rationale),
            valid_input=fine(rationale, 5000),
        )

    @precondition(archived)
    @rule(who=people("reopen"), rationale=TEXTS)
    def reopen(self, who, rationale):
        self.attempt(
            who,
            "reopen",
            lambda by: services.reopen(by=by, project=self.project, rationale=rationale),
            valid_input=fine(rationale, 5000),
        )

    @invariant()
    def stage_moves_only_with_a_transition_and_history_replays(self):
        project = self.project_now()
        rows = list(StageTransition.objects.filter(project=project).order_by("id"))
        stage = Stage.IDEA
        for row in rows:
            assert row.from_stage == stage, (row.from_stage, stage)
            stage = row.to_stage
        assert stage == project.stage
        assert all(row.from_stage != row.to_stage for row in rows)
        new = rows[self.seen_transitions :]
        if new:
            assert new[0].from_stage == self.seen_stage
        else:
            assert project.stage == self.seen_stage
        for row in new:
            if row.name == "advance":
                self.check_advance_was_earned(row)
        self.seen_transitions, self.seen_stage = len(rows), project.stage

    def check_advance_was_earned(self, row: StageTransition):
        """Read right after the step that advanced: the passed gate's items and the review's
        votes are as they were at that moment (both are closed to writes since)."""
        review = row.review
        assert review is not None and review.status == GateReview.Status.APPROVED
        assert review.gate.stage == row.to_stage
        assert conditions_met(self.project, review, self.team)
        snapshot = [entry for entry in row.checklist if entry["required"]]
        assert snapshot and all(
            e["status"] == "verified" or (e["status"] == "not_applicable" and e["na_accepted"])
            for e in snapshot
        )

    @invariant()
    def no_open_review_meets_its_conditions_unadvanced(self):
        review = gates.open_review(self.project)
        if review is not None:
            assert review.gate == gates.next_gate(self.project_now())
            met = conditions_met(self.project, review, self.team)
            assert not met, "conditions met but not advanced"

    @invariant()
    def only_allowed_people_decided_and_events_have_no_gaps(self):
        deciders = set(
            Decision.objects.filter(review__project=self.project).values_list(
                "reviewer__username", flat=True
            )
        )
        assert deciders <= ALLOWED["decide"]
        project = self.project_now()
        seqs = list(ProjectEvent.objects.filter(project=project).values_list("seq", flat=True))
        assert seqs == list(range(1, project.event_seq + 1))


def test_random_workflows_keep_every_invariant(
    make_user, owner, member, reviewer, reviewer2, funder, curator, stranger
):
    member.groups.add(*reviewer.groups.all())  # a reviewer on their own team
    cast = {
        person.username: person
        for person in (owner, member, reviewer, reviewer2, funder, curator, stranger)
    }
    cast["reviewer3"] = make_user("reviewer3", "reviewers")
    run_state_machine_as_test(
        lambda: WorkflowMachine(cast),
        settings=settings(
            max_examples=30,
            stateful_step_count=30,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
