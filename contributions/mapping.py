"""The column-mapping step: a form built from what validation detected, turned into a mapping dict.

The mapping dict is a contracts.ColumnMapping (keys: contributions.validation.MAPPING_KEYS); it is
what the API accepts as `mapping` and what is saved as the source's SourceRecipe when a reviewer
approves.
"""

from typing import cast

from django import forms

from places.models import Location, Metric

from .contracts import ColumnMapping, ValidationReport
from .models import Submission

MAX_COLUMNS_IN_FORM = 200
LOCATION_ROLES = {"country", "region", "subregion", "location"}
GENERALITY = {"country": 0, "region": 1, "subregion": 2}  # location columns go most general first
DATE_FORMATS = [
    ("", "Detect automatically"),
    ("%Y-%m-%d", "2020-03-31 (ISO)"),
    ("%d/%m/%Y", "31/03/2020 (day first)"),
    ("%m/%d/%Y", "03/31/2020 (month first)"),
    ("%m/%d/%y", "3/31/20 (JHU)"),
    ("%d.%m.%Y", "31.03.2020"),
    ("%d-%m-%Y", "31-03-2020"),
]


def detected_sheets(report: ValidationReport | dict) -> list[dict]:
    return (report.get("detected") or {}).get("sheets") or []


def suggested_mapping(submission: Submission) -> ColumnMapping:
    """What the form starts from: the mapping already given, else validation's suggestion."""
    suggested = ((submission.report or {}).get("needs_mapping") or {}).get("suggested") or {}
    applied = (submission.report or {}).get("mapping") or {}
    return {**applied, **suggested, **(submission.mapping or {})}


def mappable_columns(report: ValidationReport | dict) -> list[tuple[str, str | None]]:
    """(column, detected role) for every column a volunteer may map; date headers of wide files excluded."""
    seen: dict[str, str | None] = {}
    for sheet in detected_sheets(report):
        roles = sheet.get("roles") or {}
        wide_by_date = sheet.get("layout") == "wide_date"
        for column in sheet.get("columns") or []:
            role = roles.get(column)
            if wide_by_date and role is None:
                continue  # a date in the header: the values of that date
            seen.setdefault(column, role)
    return list(seen.items())[:MAX_COLUMNS_IN_FORM]


def role_choices() -> list[tuple[str, str]]:
    metrics = [(f"metric:{m.code}", f"Values of: {m.name}") for m in Metric.objects.all()]
    return [
        ("ignore", "Ignore this column"),
        ("date", "Date"),
        ("location", "Place (country, region or area)"),
        ("metric_name", "Name of the metric (long files)"),
        ("value", "Value (long files)"),
        *metrics,
    ]


def initial_role(column: str, detected_role: str | None, mapping: ColumnMapping) -> str:
    if column in (mapping.get("ignore") or []):
        return "ignore"
    if mapping.get("date_column") == column:
        return "date"
    if column in (mapping.get("location_columns") or []):
        return "location"
    if mapping.get("metric_column") == column:
        return "metric_name"
    if mapping.get("value_column") == column:
        return "value"
    metric = (mapping.get("metrics") or {}).get(column)
    if metric:
        return f"metric:{metric}"
    if metric == "":
        return "ignore"
    if detected_role in LOCATION_ROLES:
        return "location"
    if detected_role in ("date", "value"):
        return detected_role
    if detected_role == "metric":
        return "metric_name"
    if detected_role and Metric.objects.filter(code=detected_role).exists():
        return f"metric:{detected_role}"
    return "ignore"


class MappingForm(forms.Form):
    layout = forms.ChoiceField(
        choices=[
            ("wide_metric", "One row per date and place, one column per metric"),
            ("long", "One row per date, place and metric (a metric column and a value column)"),
            ("wide_date", "One row per place, one column per date (like JHU's time series)"),
        ]
    )
    date = forms.DateField(
        required=False,
        label="Date of all figures",
        help_text="For a snapshot table with no date column.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_format = forms.ChoiceField(choices=DATE_FORMATS, required=False)
    location = forms.CharField(
        required=False,
        label="Place of all figures",
        help_text="A location key (IT, IT_25, US...) when the file has no place column.",
    )
    sheet_as_location = forms.BooleanField(required=False, label="Each sheet's name is its place")
    metric = forms.ChoiceField(required=False, label="Metric of the values (one column per date)")
    unknown_sublocations = forms.ChoiceField(
        required=False,
        label="Places we do not know inside a known one",
        choices=[
            ("error", "Report them as errors"),
            ("aggregate", "Add them up into the place above (e.g. counties into their state)"),
            ("ignore", "Leave them out"),
        ],
    )

    def __init__(self, *args, submission, **kwargs):
        self.columns = mappable_columns(submission.report or {})
        mapping = suggested_mapping(submission)
        initial = {
            key: mapping.get(key)
            for key in (
                "layout",
                "date",
                "date_format",
                "location",
                "sheet_as_location",
                "metric",
                "unknown_sublocations",
            )
            if mapping.get(key) is not None
        }
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        metric_field = cast(forms.ChoiceField, self.fields["metric"])
        metric_field.choices = [("", "–")] + [(m.code, m.name) for m in Metric.objects.all()]
        choices = role_choices()
        for index, (column, detected_role) in enumerate(self.columns):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                choices=choices,
                label=column,
                initial=initial_role(column, detected_role, mapping),
            )

    def column_fields(self):
        return [self[f"column_{index}"] for index in range(len(self.columns))]

    def clean_location(self):
        key = self.cleaned_data["location"].strip()
        if key and not Location.objects.filter(key=key.upper()).exists():
            raise forms.ValidationError(f"No place has the key {key!r}; use keys such as IT, IT_25 or US.")
        return key.upper()

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns the cleaned data
        roles = [cleaned.get(f"column_{i}") for i in range(len(self.columns))]
        layout = cleaned.get("layout")
        if roles.count("date") > 1:
            raise forms.ValidationError("Only one column can be the date.")
        if layout != "wide_date" and "date" not in roles and not cleaned.get("date"):
            raise forms.ValidationError("Choose the date column, or give the date of all figures.")
        if "location" not in roles and not cleaned.get("location") and not cleaned.get("sheet_as_location"):
            raise forms.ValidationError(
                "Choose the place column(s), give the place of all figures, or say that each sheet's name is its place."
            )
        if layout == "long" and not {"metric_name", "value"} <= set(roles):
            raise forms.ValidationError("A long file needs a metric-name column and a value column.")
        if layout == "wide_metric" and not any(r and r.startswith("metric:") for r in roles):
            raise forms.ValidationError("Choose at least one column of values for a metric.")
        if layout == "wide_date" and not cleaned.get("metric"):
            raise forms.ValidationError("Choose the metric of the values.")
        return cleaned

    def to_mapping(self) -> ColumnMapping:
        data = self.cleaned_data
        mapping: ColumnMapping = {"layout": data["layout"]}
        metrics, ignore, locations = {}, [], []
        for index, (column, detected_role) in enumerate(self.columns):
            role = data[f"column_{index}"]
            if role == "date":
                mapping["date_column"] = column
            elif role == "location":
                locations.append((GENERALITY.get(detected_role or "", len(GENERALITY)), index, column))
            elif role == "metric_name":
                mapping["metric_column"] = column
            elif role == "value":
                mapping["value_column"] = column
            elif role.startswith("metric:"):
                metrics[column] = role.split(":", 1)[1]
            else:
                ignore.append(column)
                if data["layout"] == "wide_metric":
                    metrics[column] = ""
        if locations:
            mapping["location_columns"] = [column for _, _, column in sorted(locations)]
        if metrics and data["layout"] == "wide_metric":
            mapping["metrics"] = metrics
        if ignore:
            mapping["ignore"] = ignore
        for key in ("date_format", "location", "metric", "unknown_sublocations"):
            if data.get(key):
                mapping[key] = data[key]
        if data.get("date"):
            mapping["date"] = data["date"].isoformat()
        if data.get("sheet_as_location"):
            mapping["sheet_as_location"] = True
        return mapping


# The mapping keys that decide where values land; a reviewer sees them next to the diff per country.
PLACE_KEYS = ("location", "sheet_as_location", "locations", "location_columns", "location_schemes")


def place_mapping(mapping_or_report: ColumnMapping | ValidationReport | dict | None) -> dict:
    """What a mapping (the one a report applied, or a recipe's) says about places: a constant place,
    names sent to other places (or left out), the place columns, and summing or leaving out unknown
    sub-places. Empty when the mapping does not touch places."""
    given = dict(mapping_or_report or {})
    mapping = given.get("mapping", given) if "valid" in given else given
    found = {key: mapping[key] for key in PLACE_KEYS if mapping.get(key)}
    if mapping.get("unknown_sublocations") in ("aggregate", "ignore"):
        found["unknown_sublocations"] = mapping["unknown_sublocations"]
    return found
