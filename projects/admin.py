from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponseRedirect

from . import services
from .errors import ServiceError
from .models import Membership, Project, ProjectEvent, Territory, Theme


def _message(error: ServiceError) -> str:
    errors = error.extra.get("errors") or {}
    return " ".join(str(m) for messages_ in errors.values() for m in messages_) or str(error)


class TeamFormSet(forms.BaseInlineFormSet):
    """Refuses a team left without an owner, with the services' own rule."""

    def clean(self):
        super().clean()
        roles = [
            form.cleaned_data["role"]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            services.check_keeps_an_owner(roles)
        except ServiceError as error:
            raise ValidationError(_message(error)) from None


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = TeamFormSet
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """Curators correct a project's description and team here, through the same services as
    the product (permissions re-derived, sockets of people who lost access told). The stage
    is read-only: it moves through the workflow; projects are proposed, not added here."""

    list_display = ["title", "stage", "visibility", "origin", "updated_at"]
    list_filter = ["stage", "visibility", "themes"]
    search_fields = ["title", "summary", "origin"]
    filter_horizontal = ["themes", "territories"]
    readonly_fields = ["stage", "stage_changed_at", "event_seq", "created_at", "updated_at"]
    fields = [*services.EDITABLE_FIELDS, "themes", "territories", *readonly_fields]
    inlines = [MembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        services.update_project(
            by=request.user,
            project=obj,
            themes=data["themes"],
            territories=data["territories"],
            **{name: data[name] for name in services.EDITABLE_FIELDS},
        )

    def save_related(self, request, form, formsets, change):
        # Themes and territories went with update_project; the team goes member by member.
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        project = form.instance
        removed, formset.new_objects, formset.changed_objects = [], [], []
        formset.deleted_objects = []
        for row in formset.forms:
            if not row.has_changed() and not row.cleaned_data.get("DELETE"):
                continue
            before = row.initial.get("user")
            if row.cleaned_data.get("DELETE"):
                if before is not None:
                    removed.append(before)
                    formset.deleted_objects.append(row.instance)
                continue
            user, role = row.cleaned_data["user"], row.cleaned_data["role"]
            if before is not None and before != user.pk:
                removed.append(before)
                before = None
            if before is None:
                formset.new_objects.append(
                    services.add_member(
                        by=request.user, project=project, user_id=user.pk, role=role
                    )
                )
            else:
                formset.changed_objects.append(
                    (
                        services.change_role(
                            by=request.user, project=project, user_id=user.pk, role=role
                        ),
                        ["role"],
                    )
                )
        # Removals last, so that an owner named in the same save keeps the project owned.
        for user_id in removed:
            services.remove_member(by=request.user, project=project, user_id=user_id)

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except ServiceError as error:
            # The admin's transaction is rolled back: nothing of this save is kept.
            self.message_user(request, _message(error), messages.ERROR)
            return HttpResponseRedirect(request.path)


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_fr", "name_en"]


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Audit and event records: visible to curators, written only by the services."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProjectEvent)
class ProjectEventAdmin(ReadOnlyAdmin):
    list_display = ["project", "seq", "type", "object_id", "at"]
    list_filter = ["type"]
