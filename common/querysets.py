"""Filtering a queryset by the filters a form or a caller gave."""

from typing import Any, TypeVar

from django.db.models import QuerySet

QS = TypeVar("QS", bound=QuerySet[Any])


def filter_given(queryset: QS, **lookups: Any) -> QS:
    """`queryset` filtered, in order, by each lookup whose value is given (left out when it is None,
    empty, zero or False)."""
    for lookup, value in lookups.items():
        if value:
            queryset = queryset.filter(**{lookup: value})
    return queryset
