"""The column-mapping step: a form built from what validation detected and reported, turned into a
mapping dict.

The mapping dict is a contracts.ColumnMapping (keys: contributions.validation.MAPPING_KEYS); it is
what the API accepts as `mapping` and what is saved as the source's SourceRecipe when a reviewer
approves. report.py reads the report, form.py asks, build.py writes the mapping, summary.py
tells reviewers what a mapping does to places.
"""

from .build import FIELD_KEYS, GENERALITY
from .fields import initial_role, role_choices
from .form import DATE_FORMATS, LAYOUTS, MappingForm
from .report import (
    LOCATION_ROLES,
    MAX_COLUMNS_IN_FORM,
    detected_sheets,
    mappable_columns,
    suggested_mapping,
)
from .summary import PLACE_KEYS, place_mapping

__all__ = [
    "DATE_FORMATS",
    "FIELD_KEYS",
    "GENERALITY",
    "LAYOUTS",
    "LOCATION_ROLES",
    "MAX_COLUMNS_IN_FORM",
    "PLACE_KEYS",
    "MappingForm",
    "detected_sheets",
    "initial_role",
    "mappable_columns",
    "place_mapping",
    "role_choices",
    "suggested_mapping",
]
