import re

from django.db import migrations, models

# The sentences the system wrote before they were codes, in French and in English, as
# ``notifications.texts`` and the translations had them then. A row whose text is one of
# them gains its code and parameters (a label, such as a stage's, becomes its msgid, to be
# translated when read) and loses its text; any other text stays as it is.
SENTENCES = {
    "review_opened": [
        "« %(title)s » demande le passage à l'étape %(stage)s.",
        "“%(title)s” asks to move to the %(stage)s stage.",
    ],
    "decision": [
        "%(who)s sur « %(title)s » : %(verdict)s.",
        "%(who)s on “%(title)s”: %(verdict)s.",
    ],
    "stage_changed": [
        "« %(title)s » passe de l'étape %(from)s à l'étape %(to)s.",
        "“%(title)s” moves from the %(from)s stage to the %(to)s stage.",
    ],
    "review_waiting": [
        "« %(title)s » attend une décision depuis %(days)d jours.",
        "“%(title)s” has been waiting for a decision for %(days)d days.",
    ],
    "changes_waiting": [
        "Des modifications sont demandées sur « %(title)s » depuis %(days)d jours : "
        "rouvrez la revue quand elles sont faites.",
        "Changes have been requested on “%(title)s” for %(days)d days: open the "
        "review again once they are made.",
    ],
    "dormant": [
        "Rien ne s'est passé sur « %(title)s » depuis %(days)d jours : où en êtes-vous ?",
        "Nothing has happened on “%(title)s” for %(days)d days: how are things going?",
    ],
    "mention": [
        "%(name)s vous a mentionné sur « %(project)s ».",
        "%(name)s mentioned you on “%(project)s”.",
    ],
    "reply": [
        "%(name)s a répondu à votre message sur « %(project)s ».",
        "%(name)s replied to your message on “%(project)s”.",
    ],
}
# Labels given as parameters, in either language, to their msgid.
STAGES = {
    "Idée": "Idée",
    "Idea": "Idée",
    "Prototype": "Prototype",
    "Pilote": "Pilote",
    "Pilot": "Pilote",
    "Commun": "Commun",
    "Commons": "Commun",
    "Archivé": "Archivé",
    "Archived": "Archivé",
}
VERDICTS = {
    "Approuver": "Approuver",
    "Approve": "Approuver",
    "Demander des modifications": "Demander des modifications",
    "Request changes": "Demander des modifications",
    "Refuser": "Refuser",
    "Reject": "Refuser",
}
SOMEONE = {"quelqu'un": "quelqu'un", "someone": "quelqu'un"}
LABELS = {"stage": STAGES, "from": STAGES, "to": STAGES, "verdict": VERDICTS, "name": SOMEONE}


def pattern(sentence: str):
    parts = re.split(r"%\((\w+)\)([sd])", sentence)
    regex = re.escape(parts[0])
    for index in range(1, len(parts), 3):
        name, kind, rest = parts[index], parts[index + 1], parts[index + 2]
        regex += rf"(?P<{name}>\d+)" if kind == "d" else rf"(?P<{name}>.+?)"
        regex += re.escape(rest)
    return re.compile(rf"\A{regex}\Z", re.S)


PATTERNS = [(code, pattern(s)) for code, sentences in SENTENCES.items() for s in sentences]


def coded(text: str):
    """``(code, params)`` for a sentence the system wrote, or None."""
    for code, regex in PATTERNS:
        found = regex.match(text)
        if found is None:
            continue
        params = {}
        for name, value in found.groupdict().items():
            labels = LABELS.get(name, {})
            if value.isdigit() and name == "days":
                params[name] = int(value)
            elif value in labels:
                params[name] = {"msgid": labels[value]}
            elif name in ("stage", "from", "to", "verdict"):
                return None  # not a label the system wrote: leave the text alone
            else:
                params[name] = value
        return code, params
    return None


def to_codes(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    changed = []
    for row in Notification.objects.filter(code="").only("id", "text").iterator():
        found = coded(row.text)
        if found:
            row.code, row.params = found
            row.text = ""
            changed.append(row)
    Notification.objects.bulk_update(changed, ["code", "params", "text"], batch_size=500)


def to_texts(apps, schema_editor):
    """Back to texts, in French (the codes' source language)."""
    Notification = apps.get_model("notifications", "Notification")
    french = {code: sentences[0] for code, sentences in SENTENCES.items()}
    changed = []
    for row in Notification.objects.exclude(code="").iterator():
        values = {
            key: value["msgid"] if isinstance(value, dict) else value
            for key, value in row.params.items()
        }
        try:
            row.text = (french[row.code] % values)[:300]
        except (KeyError, TypeError, ValueError):
            row.text = row.text or row.code
        row.code, row.params = "", {}
        changed.append(row)
    Notification.objects.bulk_update(changed, ["code", "params", "text"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="code",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="notification",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name="notification",
            name="text",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.RunPython(to_codes, to_texts),
    ]
