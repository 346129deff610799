"""Each text limit is defined once (``projects.models``) and the model, the API's input
serializer and the page's form all apply that one."""

import pytest

from frontend import forms
from projects.models import MAX_NOTE, MAX_TEXT, MAX_URL
from workflows import serializers
from workflows.models import ChecklistItem, Decision

CASES = [
    (ChecklistItem, "evidence_url", serializers.ItemUpdateSerializer, forms.AttestForm, MAX_URL),
    (ChecklistItem, "evidence_text", serializers.ItemUpdateSerializer, forms.AttestForm, MAX_TEXT),
    (
        ChecklistItem,
        "justification",
        serializers.ItemUpdateSerializer,
        forms.NotApplicableForm,
        MAX_NOTE,
    ),
    (Decision, "rationale", serializers.DecisionInputSerializer, forms.DecisionForm, MAX_TEXT),
]


@pytest.mark.parametrize(("model", "field", "serializer", "form", "limit"), CASES)
def test_one_limit_per_field(model, field, serializer, form, limit):
    assert model._meta.get_field(field).max_length == limit
    assert serializer().fields[field].max_length == limit
    assert form.base_fields[field].max_length == limit


def test_notes_and_rationales_share_the_limits():
    assert ChecklistItem._meta.get_field("review_note").max_length == MAX_NOTE
    assert serializers.ItemUpdateSerializer().fields["note"].max_length == MAX_NOTE
    assert forms.VerifyForm.base_fields["note"].max_length == MAX_NOTE
    assert forms.RationaleForm.base_fields["rationale"].max_length == MAX_TEXT
    assert serializers.RationaleSerializer().fields["rationale"].max_length == MAX_TEXT
