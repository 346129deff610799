from django.db import migrations

# The default framework's evidence: which automatic checks show beside which criteria.
# Curators change it afterwards; a criterion they removed is skipped.
MAPPING = {
    "pilot-open-licence": ["licence", "licence_metadata", "reuse"],
    "pilot-public-repository": ["repository", "binaries"],
    "pilot-install-docs": ["readme"],
    "commons-governance": ["contributing", "governance", "code_of_conduct"],
    "commons-sustainability": ["activity", "absence_factor", "releases", "organisations"],
}


def add(apps, schema_editor):
    Criterion = apps.get_model("workflows", "Criterion")
    CheckMapping = apps.get_model("evidence", "CheckMapping")
    for code, checks in MAPPING.items():
        criterion = Criterion.objects.filter(code=code).first()
        if criterion is None:
            continue
        for position, check in enumerate(checks):
            CheckMapping.objects.get_or_create(
                criterion=criterion, check_code=check, defaults={"position": position}
            )


def remove(apps, schema_editor):
    apps.get_model("evidence", "CheckMapping").objects.filter(criterion__code__in=MAPPING).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0002_append_only_triggers"),
        ("workflows", "0002_default_framework"),
    ]

    operations = [migrations.RunPython(add, remove)]
