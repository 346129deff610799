"""The forms of the publiccode.yml page: the project's publiccode.yml details, and a file to
import. They shape input; ``interop.services`` decides and writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from interop import publiccode
from interop.models import PublicCodeProfile


class LinesField(forms.CharField):
    """A list of short texts, one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class ProfileForm(forms.ModelForm):
    features_fr = LinesField(
        label=_("Fonctionnalités (français)"), required=False, help_text=_("Une par ligne.")
    )
    features_en = LinesField(
        label=_("Fonctionnalités (anglais)"), required=False, help_text=_("Une par ligne.")
    )
    platforms = LinesField(
        label=_("Plateformes"), required=False, help_text=_("Une par ligne : web, android, linux…")
    )
    available_languages = LinesField(
        label=_("Langues disponibles"), required=False, help_text=_("Codes, un par ligne : fr, en…")
    )
    localisation_ready = forms.NullBooleanField(
        label=_("Prêt pour la traduction"), required=False, widget=forms.NullBooleanSelect
    )

    class Meta:
        model = PublicCodeProfile
        fields = [
            "long_description_fr",
            "short_description_en",
            "long_description_en",
            "features_fr",
            "features_en",
            "platforms",
            "software_type",
            "maintenance_type",
            "localisation_ready",
            "available_languages",
        ]
        widgets = {
            "long_description_fr": forms.Textarea(attrs={"rows": 5}),
            "long_description_en": forms.Textarea(attrs={"rows": 5}),
        }


class ImportForm(forms.Form):
    """A publiccode.yml pasted or uploaded (the upload wins when both are given)."""

    one_of = ("upload", "document")

    upload = forms.FileField(label=_("Fichier publiccode.yml"), required=False)
    document = forms.CharField(
        label=_("Ou collez son contenu"),
        required=False,
        strip=False,
        max_length=publiccode.MAX_BYTES,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )

    def clean(self):
        data = super().clean()
        upload = data.get("upload")
        if upload is not None:
            if upload.size > publiccode.MAX_BYTES:
                raise forms.ValidationError(
                    _("Le fichier fait %(size)s octets : %(max)s au plus.")
                    % {"size": upload.size, "max": publiccode.MAX_BYTES}
                )
            content = upload.read(publiccode.MAX_BYTES + 1)
        else:
            content = data.get("document") or ""
        if not self.errors and not content:
            raise forms.ValidationError(_("Choisissez un fichier ou collez son contenu."))
        try:
            data["parsed"] = publiccode.parse(content)
        except publiccode.ParseError as error:
            raise forms.ValidationError(error.reason) from None
        data["text"] = content.decode("utf-8") if isinstance(content, bytes) else content
        return data
