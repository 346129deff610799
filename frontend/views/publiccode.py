"""The publiccode.yml page of a project: the file or what it misses, the details to fill,
and an import that shows what would change before anything is saved."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from evidence import services as evidence_services
from interop import publiccode
from interop import services as interop_services
from projects import access
from projects.errors import Conflict, Invalid

from ..http import add_service_errors, refusals
from ..publiccode_forms import ImportForm, ProfileForm


def shown(value) -> str:
    """A value of the preview in words: lists joined, people as "name <e-mail>"."""
    if value is None or value in ("", []):
        return ""
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if isinstance(value, dict):
        extra = ", ".join(str(v) for k, v in value.items() if k != "name")
        return f"{value.get('name', '')} ({extra})" if extra else str(value.get("name", ""))
    if isinstance(value, list):
        return " · ".join(shown(item) for item in value)
    return str(value)


def _preview(project, import_form) -> dict:
    """What importing the valid ``import_form``'s file would change, shown before saving."""
    document = import_form.cleaned_data["parsed"]
    preview = {
        "changes": [
            {
                **change.__dict__,
                "current": shown(change.current),
                "proposed": shown(change.proposed),
            }
            for change in interop_services.proposed_changes(project, document)
        ],
        "failures": publiccode.validate(document),
        "reuse_candidates": publiccode.read(document).get("used_by", []),
        "text": import_form.cleaned_data["text"],
    }
    preview["blocked"] = any(change["error"] for change in preview["changes"])
    return preview


@refusals
def publiccode_page(request, pk):
    project = access.access_project(request.user, pk)
    can_edit = access.can_edit(request.user, project)
    profile = interop_services.profile_of(project)
    profile_form = ProfileForm(instance=profile)
    import_form = ImportForm()
    preview = None
    fetched = fetch_error = ""
    status = 200
    if request.method == "POST":
        access.require(can_edit, request.user)
        action = request.POST.get("action")
        if action == "profile":
            profile_form = ProfileForm(request.POST, instance=profile)
            if profile_form.is_valid():
                try:
                    interop_services.update_publiccode_profile(
                        by=request.user,
                        project=project,
                        **{
                            name: profile_form.cleaned_data[name]
                            for name in ProfileForm.Meta.fields
                        },
                    )
                except Invalid as error:
                    add_service_errors(profile_form, error)
                else:
                    messages.success(
                        request, _("Les informations publiccode.yml sont enregistrées.")
                    )
                    return redirect("frontend:publiccode", pk=project.pk)
        elif action == "fetch":
            try:
                fetched, content = evidence_services.fetch_publiccode(
                    by=request.user, project_id=project.pk
                )
            except Conflict as error:
                fetch_error = str(error.detail)
            else:
                text = content.decode("utf-8", "replace")
                import_form = ImportForm({"document": text})
                if import_form.is_valid():
                    preview = _preview(project, import_form)
        elif action in ("preview", "apply"):
            import_form = ImportForm(request.POST, request.FILES)
            if import_form.is_valid():
                document = import_form.cleaned_data["parsed"]
                if action == "apply":
                    try:
                        interop_services.import_publiccode(
                            by=request.user, project=project, document=document
                        )
                    except Invalid as error:
                        add_service_errors(import_form, error)
                    else:
                        messages.success(
                            request, _("Le publiccode.yml est importé dans le projet.")
                        )
                        return redirect("frontend:publiccode", pk=project.pk)
                preview = _preview(project, import_form)
        failed = profile_form.errors or import_form.errors or fetch_error
        status = 400 if failed else 200
    project.refresh_from_db()
    document, failures, warnings = interop_services.project_document(project)
    context = {
        "project": project,
        "can_edit": can_edit,
        "failures": [(f, publiccode.fix_hint(f.key)) for f in failures],
        "warnings": warnings,
        "yaml": "" if failures else publiccode.dump(document),
        "profile_form": profile_form,
        "import_form": import_form,
        "preview": preview,
        "fetched": fetched,
        "fetch_error": fetch_error,
    }
    return render(request, "frontend/projects/publiccode.html", context, status=status)
