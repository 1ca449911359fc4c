"""The messages of a stored validation report in the reader's language (contributions.texts)."""

from django import template

from contributions.texts import translated

register = template.Library()


@register.filter
def problem_message(entry) -> str:
    """A report's problem or mapping reason, `{{ problem|problem_message }}`: its message in the active
    language, with the rows, columns and values named as in the file; a report stored before messages
    were kept translatable shows its English message."""
    return translated(entry) if hasattr(entry, "get") else str(entry or "")
