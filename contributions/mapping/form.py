"""The mapping form: one page where a volunteer says what validation could not tell (which column is
which, the place of each unknown name, the sheets to read, the rows to keep, the recipe to apply).

Its fields are built from the submission's report (mapping/report.py); `to_mapping` turns the answers
into a contracts.ColumnMapping (mapping/build.py).
"""

from typing import Any, cast

from django import forms
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, ngettext

from places.models import Location, Metric, normalise_name

from ..contracts import ColumnMapping
from ..models import Submission
from . import report as read
from .build import FIELD_KEYS, build_mapping
from .fields import PlaceKeyInput, initial_role, known_keys, place_label, role_choices

MAX_PLACES_IN_FORM = 100
LAYOUTS = [
    ("wide_metric", gettext_lazy("One row per date and place, one column per metric")),
    ("long", gettext_lazy("One row per date, place and metric (a metric column and a value column)")),
    ("wide_date", gettext_lazy("One row per place, one column per date (like JHU's time series)")),
    ("wide_place", gettext_lazy("One row per date, one column per place")),
]
DATE_FORMATS = [
    ("", gettext_lazy("Detect automatically")),
    ("%Y-%m-%d", "2020-03-31 (ISO)"),
    ("%d/%m/%Y", gettext_lazy("31/03/2020 (day first)")),
    ("%m/%d/%Y", gettext_lazy("03/31/2020 (month first)")),
    ("%m/%d/%y", "3/31/20 (JHU)"),
    ("%d.%m.%Y", "31.03.2020"),
    ("%d-%m-%Y", "31-03-2020"),
    ("%Y-%d-%m", gettext_lazy("2020-22-01 (year, day, month)")),
]


class MappingForm(forms.Form):
    layout = forms.ChoiceField(label=gettext_lazy("How is the file laid out?"), choices=LAYOUTS)
    date = forms.DateField(
        required=False,
        label=gettext_lazy("Date of all figures"),
        help_text=gettext_lazy("For a snapshot table with no date column."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_format = forms.ChoiceField(
        choices=DATE_FORMATS,
        required=False,
        label=gettext_lazy("Date format"),
        help_text=gettext_lazy("When a date such as 03/04/2020 could be read two ways, say how the file writes them."),
    )
    location = forms.CharField(
        required=False,
        label=gettext_lazy("Place of all figures"),
        help_text=gettext_lazy("A location key (IT, IT_25, US...) when the file has no place column."),
    )
    sheet_as_location = forms.BooleanField(required=False, label=gettext_lazy("Each sheet's name is its place"))
    metric = forms.ChoiceField(
        required=False, label=gettext_lazy("Metric of the values (one column per date or per place)")
    )
    unknown_sublocations = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Places we do not know inside a known one"),
        choices=[
            ("error", gettext_lazy("Report them as errors")),
            ("aggregate", gettext_lazy("Add them up into the place above (e.g. counties into their state)")),
            ("ignore", gettext_lazy("Leave them out")),
        ],
    )

    def __init__(self, *args, submission: Submission, **kwargs):
        report = submission.report or {}
        self.own: dict[str, Any] = dict(submission.mapping or {})  # the volunteer's mapping as saved
        self.applied: dict[str, Any] = dict(report.get("mapping") or {})  # with the recipe's, as validated
        start = read.suggested_mapping(submission)
        self.columns = read.mappable_columns(report)
        self.file_columns = {c for sheet in read.detected_sheets(report) for c in sheet.get("columns") or []}
        self.left_out = read.left_out_reasons(report)
        self.column_places = {**read.detected_column_places(report), **(start.get("column_places") or {})}
        self.sheet_list = read.sheet_infos(report, start)
        self.every_sheet_listed = bool((report.get("detected") or {}).get("sheet_names"))  # read or not
        self.filters = read.filter_columns(report, start)
        # Each name shown takes three fields, and a request carries at most 1,000 (Django's
        # DATA_UPLOAD_MAX_NUMBER_FIELDS): past MAX_PLACES_IN_FORM, names are listed, to answer after a save.
        self.all_places = read.unknown_places(report)
        self.places, self.more_places = self.all_places[:MAX_PLACES_IN_FORM], self.all_places[MAX_PLACES_IN_FORM:]
        self.place_notes = read.unlisted_place_notes(report)
        self.recipe = read.recipe_applied(report)
        kwargs["initial"] = {
            key: start.get(key)
            for key in ("layout", "date", "date_format", "location", "sheet_as_location", "metric")
            if start.get(key) is not None
        } | {"unknown_sublocations": start.get("unknown_sublocations") or "error"}
        super().__init__(*args, **kwargs)
        self.search_url = reverse("location-list")
        keys = {s for p in self.places for s in p.suggestions} | {p.parent for p in self.places if p.parent}
        self.known = known_keys(keys)
        metric_field = cast(forms.ChoiceField, self.fields["metric"])
        metric_field.choices = [("", "–")] + [(m.code, m.name) for m in Metric.objects.all()]
        self._add_column_fields(start)
        self._add_sheet_fields(start)
        self._add_filter_fields(start)
        self._add_place_fields(start)
        self._add_recipe_fields()

    # --- fields -------------------------------------------------------------------------------------

    def _add_column_fields(self, start: ColumnMapping) -> None:
        choices = role_choices()
        codes = {value.split(":", 1)[1] for value, _ in choices if value.startswith("metric:")}
        for index, (column, detected_role) in enumerate(self.columns):
            role = initial_role(column, detected_role, start, self.column_places, codes)
            self.fields[f"column_{index}"] = forms.ChoiceField(choices=choices, label=column, initial=role)
            self.fields[f"column_{index}_place"] = forms.CharField(
                required=False,
                max_length=64,
                label=gettext("Place of the values in %(column)s") % {"column": column},
                initial=self.column_places.get(column) or "",
                widget=PlaceKeyInput(self.search_url),
            )

    def _add_sheet_fields(self, start: ColumnMapping) -> None:
        self.show_sheets = len(self.sheet_list) > 1 or bool(start.get("sheets"))
        if not self.show_sheets:
            return
        chosen = start.get("sheets") or [s.name for s in self.sheet_list if not s.reason]
        self.fields["sheets"] = forms.MultipleChoiceField(
            required=False,
            label=gettext("Sheets to read"),
            choices=[(s.name, s.name) for s in self.sheet_list],
            initial=chosen,
            widget=forms.CheckboxSelectMultiple,
        )
        if start.get("sheets") and not self.every_sheet_listed:
            self.fields["all_sheets"] = forms.BooleanField(
                required=False,
                label=gettext("Read every sheet of the workbook"),
                help_text=gettext("Only the sheets chosen earlier were read, so only they are listed above."),
            )

    def _add_filter_fields(self, start: ColumnMapping) -> None:
        kept = start.get("keep_rows") or {}
        for index, (column, values) in enumerate(self.filters):
            self.fields[f"keep_{index}"] = forms.MultipleChoiceField(
                required=False,
                label=column,
                choices=[(v, v or gettext("(empty)")) for v in values],
                initial=[str(v) for v in kept.get(column) or []],
                widget=forms.CheckboxSelectMultiple,
            )

    def _add_place_fields(self, start: ColumnMapping) -> None:
        manual = {normalise_name(k): v for k, v in (start.get("locations") or {}).items() if v is not None}
        for index, place in enumerate(self.places):
            options = [self.known[k.upper()].key for k in dict.fromkeys(place.suggestions) if k.upper() in self.known]
            choice, key, scoped = self._place_initial(place, manual, options)
            leave = (
                ngettext("Leave out (%(count)s row)", "Leave out (%(count)s rows)", place.row_count)
                % {"count": f"{place.row_count:,}"}
                if place.row_count
                else gettext("Leave out")
            )
            choices = [("", gettext("Decide later (stays an error)")), ("leave", leave)]
            choices += [(k, place_label(k, self.known)) for k in options]
            choices.append(("other", gettext("Another place: search for it below or type its key")))
            self.fields[f"place_{index}"] = forms.ChoiceField(
                required=False, label=place.text, choices=choices, initial=choice
            )
            self.fields[f"place_{index}_key"] = forms.CharField(
                required=False,
                max_length=64,
                label=gettext("Another place for “%(text)s”") % {"text": place.text},
                initial=key,
                widget=PlaceKeyInput(self.search_url, choice=f"id_place_{index}"),
            )
            if place.within:
                self.fields[f"place_{index}_scoped"] = forms.BooleanField(
                    required=False,
                    label=gettext("Only where it is under %(place)s") % {"place": place.within},
                    initial=scoped,
                )
        if self.all_places:
            self.fields["leave_out_rest"] = forms.BooleanField(
                required=False,
                label=gettext("Leave out every name I did not decide above"),
                help_text=gettext("Their rows are left out and counted in the report, instead of staying errors."),
            )

    @staticmethod
    def _place_initial(place: read.UnknownPlace, manual: dict[str, str], options: list[str]) -> tuple[str, str, bool]:
        """(choice, key typed, limited to its place above) from what the mapping already says."""
        scoped, target = bool(place.within), None
        if place.within and normalise_name(place.scoped_text) in manual:
            target = manual[normalise_name(place.scoped_text)]
        elif normalise_name(place.text) in manual:
            scoped, target = False, manual[normalise_name(place.text)]
        if target is None:
            return "", "", scoped
        if target == "":
            return "leave", "", scoped
        if target.upper() in options:
            return target.upper(), "", scoped
        return "other", target, scoped

    def _add_recipe_fields(self) -> None:
        """Switching the recipe off (or on again), and dropping its settings the page has no field for."""
        if self.recipe is None and self.own.get("use_recipe") is not False:
            return
        self.fields["use_recipe"] = forms.BooleanField(
            required=False,
            initial=self.own.get("use_recipe") is not False,
            label=gettext("Apply the source's recipe to this file"),
            help_text=gettext("Untick to check this file with only the choices on this page."),
        )
        if self.recipe is None:
            return
        shown = FIELD_KEYS | ({"sheets"} if self.show_sheets else set())
        self.fields["clear_recipe"] = forms.MultipleChoiceField(
            required=False,
            label=gettext("Settings of the recipe not to apply"),
            choices=[(k, k) for k in self.recipe.get("keys") or [] if k not in shown],
            widget=forms.CheckboxSelectMultiple,
            help_text=gettext(
                "For a list (of places, rows or columns) only the recipe's entries are dropped; "
                "your choices on this page stay."
            ),
        )

    # --- what the template walks over ---------------------------------------------------------------

    def column_rows(self):
        """(role field, place field, why validation left the column out or "") for each column."""
        return [
            (self[f"column_{i}"], self[f"column_{i}_place"], self.left_out.get(column, ""))
            for i, (column, _) in enumerate(self.columns)
        ]

    def sheet_rows(self):
        return list(zip(self["sheets"], self.sheet_list, strict=True)) if self.show_sheets else []

    def column_fields(self):
        return [self[f"column_{index}"] for index in range(len(self.columns))]

    def filter_fields(self):
        return [self[f"keep_{index}"] for index in range(len(self.filters))]

    def place_groups(self):
        """The unknown names grouped by the place they were found under, each with its fields."""
        groups: dict[str, list[dict]] = {}
        for index, place in enumerate(self.places):
            if place.within:
                title = gettext("Under %(place)s") % {"place": place.within}
            elif place.parent:
                title = gettext("Looked for in %(place)s") % {"place": place_label(place.parent, self.known)}
            else:
                title = gettext("Looked for everywhere")
            groups.setdefault(title, []).append(
                {
                    "place": place,
                    "choice": self[f"place_{index}"],
                    "key": self[f"place_{index}_key"],
                    "scoped": self[f"place_{index}_scoped"] if place.within else None,
                }
            )
        return [
            {"title": t, "entries": e, "rows": sum(x["place"].row_count or 0 for x in e)} for t, e in groups.items()
        ]

    def unknown_rows(self) -> int:
        return sum(p.row_count or 0 for p in self.all_places)

    def more_rows(self) -> int:
        return sum(p.row_count or 0 for p in self.more_places)

    # --- checks -------------------------------------------------------------------------------------

    def clean_location(self):
        key = self.cleaned_data["location"].strip()
        if key and not Location.objects.filter(key=key.upper()).exists():
            raise forms.ValidationError(
                gettext("No place has the key %(key)s; use keys such as IT, IT_25 or US.") % {"key": repr(key)}
            )
        return key.upper()

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns the cleaned data
        roles = [cleaned.get(f"column_{i}") for i in range(len(self.columns))]
        layout = cleaned.get("layout")
        for message in self._layout_errors(cleaned, roles, layout):
            self.add_error(None, message)
        self._clean_column_places(cleaned, roles, layout)
        self._clean_places(cleaned)
        if self.show_sheets and not cleaned.get("all_sheets") and not cleaned.get("sheets"):
            self.add_error("sheets", gettext("Choose at least one sheet to read."))
        return cleaned

    @staticmethod
    def _layout_errors(cleaned: dict, roles: list, layout: str | None) -> list[str]:
        """What the columns' roles lack for the layout chosen."""
        errors = []
        if roles.count("date") > 1:
            errors.append(gettext("Only one column can be the date."))
        if layout != "wide_date" and "date" not in roles and not cleaned.get("date"):
            errors.append(gettext("Choose the date column, or give the date of all figures."))
        placed = "location" in roles or cleaned.get("location") or cleaned.get("sheet_as_location")
        if layout != "wide_place" and not placed:
            errors.append(
                gettext(
                    "Choose the place column(s), give the place of all figures, "
                    "or say that each sheet's name is its place."
                )
            )
        if layout == "long" and not {"metric_name", "value"} <= set(roles):
            errors.append(gettext("A long file needs a metric-name column and a value column."))
        if layout == "wide_metric" and not any(r and r.startswith("metric:") for r in roles):
            errors.append(gettext("Choose at least one column of values for a metric."))
        if layout in ("wide_date", "wide_place") and not cleaned.get("metric"):
            errors.append(gettext("Choose the metric of the values."))
        if layout == "wide_place" and "place_values" not in roles:
            errors.append(gettext("Choose the columns that hold the values of a place."))
        return errors

    def _clean_column_places(self, cleaned: dict, roles: list, layout: str | None) -> None:
        typed = {i: (cleaned.get(f"column_{i}_place") or "").strip() for i in range(len(self.columns))}
        found = known_keys({k for k in typed.values() if k})
        for index, key in typed.items():
            field, role = f"column_{index}_place", roles[index] or ""
            if key and key.upper() not in found:
                self.add_error(
                    field,
                    gettext("No place has the key %(key)s; search for the place and choose it.") % {"key": repr(key)},
                )
            elif role == "place_values" and layout != "wide_place":
                self.add_error(
                    f"column_{index}",
                    gettext("A column of one place's values needs the layout “one column per place”."),
                )
            elif role == "place_values" and not key:
                self.add_error(field, gettext("Give the place of this column's values, or ignore the column."))
            elif role.startswith("metric:") and layout == "wide_place":
                self.add_error(
                    f"column_{index}",
                    gettext(
                        "With one column per place every column holds the metric chosen below; for a metric per "
                        "column, choose “one column per metric” and give each column its place."
                    ),
                )
            elif key and role not in ("place_values", "ignore") and not role.startswith("metric:"):
                self.add_error(field, gettext("Only a column of values can have a place."))
            cleaned[field] = found[key.upper()].key if key and key.upper() in found else ""

    def _clean_places(self, cleaned: dict) -> None:
        typed = {i: (cleaned.get(f"place_{i}_key") or "").strip() for i in range(len(self.places))}
        found = known_keys({k for k in typed.values() if k})
        targets: dict[str, tuple[str, str]] = {}  # normalised mapping key -> (target, the text it came from)
        for index, place in enumerate(self.places):
            choice, key = cleaned.get(f"place_{index}") or "", typed[index]
            if key and key.upper() not in found:
                self.add_error(
                    f"place_{index}_key",
                    gettext("No place has the key %(key)s; search for the place.") % {"key": repr(key)},
                )
                continue
            if key and choice not in ("", "other"):
                self.add_error(f"place_{index}_key", gettext("You chose an answer above and typed a place: keep one."))
                continue
            if choice == "other" and not key:
                self.add_error(f"place_{index}_key", gettext("Search for the place, or choose another answer."))
                continue
            target = found[key.upper()].key if key else ("" if choice == "leave" else choice or None)
            cleaned[f"place_{index}_target"] = target
            if target is None:
                continue
            text = place.scoped_text if cleaned.get(f"place_{index}_scoped") else place.text
            earlier = targets.setdefault(normalise_name(text), (target, text))
            if earlier[0] != target:
                self.add_error(
                    f"place_{index}",
                    gettext(
                        "“%(text)s” is also given another answer above; limit one of them to the place it is under, "
                        "or give both the same answer."
                    )
                    % {"text": text},
                )

    def to_mapping(self) -> ColumnMapping:
        return build_mapping(self)
