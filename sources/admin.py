"""Admin for sources: staff correct details and priorities; proposals are decided in the review queue."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models

from .models import Feed, Source, SourceRecipe, normalise_url

if TYPE_CHECKING:  # the admin classes are generic for the type checker only
    _SourceForm = forms.ModelForm[Source]
    _SourceAdmin = admin.ModelAdmin[Source]
    _RecipeAdmin = admin.ModelAdmin[SourceRecipe]
else:
    _SourceForm = forms.ModelForm
    _SourceAdmin = _RecipeAdmin = admin.ModelAdmin


def https_formfield(field: "models.Field[Any, Any]", **kwargs: Any) -> forms.Field | None:
    """Form fields for the admin: URLs typed without a scheme are read as https (Django 6 default)."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class SourceAdminForm(_SourceForm):
    """Refuses a URL another source already has (after normalisation) instead of a database error."""

    class Meta:
        model = Source
        fields = "__all__"
        formfield_callback = https_formfield

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        taken = Source.objects.filter(url_normalised=normalise_url(url)).exclude(pk=self.instance.pk).first()
        if taken is not None:
            raise ValidationError(f"Source #{taken.pk} “{taken.name}” already has this URL.")
        return url


@admin.register(Source)
class SourceAdmin(_SourceAdmin):
    form = SourceAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "institution_type", "country", "status", "priority", "cadence", "last_check_status"]
    list_filter = ["status", "institution_type", "cadence"]
    search_fields = ["name", "institution", "url", "url_normalised"]
    autocomplete_fields = ["country", "subregion"]
    raw_id_fields = ["proposed_by", "approved_by"]
    filter_horizontal = ["metrics"]
    readonly_fields = [
        "url_normalised",
        "created_at",
        "last_checked_at",
        "last_check_status",
        "last_check_error",
        "consecutive_check_failures",
    ]


@admin.register(SourceRecipe)
class SourceRecipeAdmin(_RecipeAdmin):
    """A source has one recipe per file shape; the signature and its headers come from the approved
    upload the recipe was saved from (contributions.recipes.remember), so they are not edited here."""

    list_display = ["source", "short_signature", "layout", "updated_from", "updated_at"]
    list_filter = ["layout"]
    search_fields = ["source__name", "signature"]
    raw_id_fields = ["source", "updated_from"]
    readonly_fields = ["signature", "headers", "created_at", "updated_at"]

    @admin.display(description="Signature", ordering="signature")
    def short_signature(self, recipe: SourceRecipe) -> str:
        return recipe.signature[:12] or "(none: from before signatures)"


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["__str__", "source", "status", "schedule", "trusted", "paused", "consecutive_failures"]
    list_filter = ["status", "schedule", "trusted", "paused"]
    search_fields = ["name", "url", "source__name"]
    raw_id_fields = ["source", "recipe", "trusted_by", "created_by"]
    filter_horizontal = ["followers"]
    readonly_fields = ["etag", "last_modified", "last_sha256", "last_fetched_at", "last_success_at", "created_at"]
