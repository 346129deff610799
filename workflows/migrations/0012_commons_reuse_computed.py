from django.db import migrations

# The commons gate's reuse criterion is no longer attested: it counts verified reuses of the
# reuse registry. Items of projects before that gate start again from the measure (none
# verified yet), with a line in their history saying why.
CODE = "commons-reuse"


def computed(apps, schema_editor):
    Criterion = apps.get_model("workflows", "Criterion")
    ChecklistItem = apps.get_model("workflows", "ChecklistItem")
    ChecklistChange = apps.get_model("workflows", "ChecklistChange")
    criterion = Criterion.objects.filter(code=CODE).first()
    if criterion is None:
        return
    criterion.computed = "reuses"
    criterion.title_fr = (
        "Réutilisé par des organisations hors de l'équipe (registre des réutilisations)"
    )
    criterion.title_en = "Reused by organisations outside the team (reuse registry)"
    criterion.guidance_fr = (
        "Calculé : le nombre de réutilisations vérifiées par un relecteur, déclarées par "
        "d'autres que l'équipe, atteint le seuil de l'étape."
    )
    criterion.guidance_en = (
        "Computed: the reuses verified by a reviewer, declared by others than the team, reach "
        "the gate's threshold."
    )
    criterion.save()
    items = ChecklistItem.objects.filter(criterion=criterion, project__stage="pilot").exclude(
        status="todo"
    )
    for item in items:
        ChecklistChange.objects.create(
            item=item,
            actor=None,
            from_status=item.status,
            to_status="todo",
            note="Calculé depuis le registre des réutilisations.",
        )
    items.update(status="todo", na_accepted=False)


def attested(apps, schema_editor):
    apps.get_model("workflows", "Criterion").objects.filter(code=CODE).update(computed="")


class Migration(migrations.Migration):
    dependencies = [("workflows", "0011_criterion_computed_gate_reuses_required")]

    operations = [migrations.RunPython(computed, attested)]
