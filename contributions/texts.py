"""Messages stored now and shown later in the reader's language: the validation report and the
problems CSV are made by the worker (in English) and read by volunteers in their own language.

A message is made with `Text(gettext_noop("... %(name)s ..."), name=...)`: it is the English
string, and it remembers its msgid and params, which `problem()` and the mapping reasons store
next to the English `message` (keys `msgid`, `params`). `translated(entry)` shows a stored entry
in the active language; entries stored before (no msgid) keep their English message. Params are
the names, rows, columns and numbers as they are in the file, never translated, so every language
names a row or a column the same way.

A message that depends on a number is made with `Text.ngettext(singular, plural, n, **params)` (both
forms extracted, like gettext's ngettext): its params also keep the plural msgid and the number
(keys PLURAL and NUMBER), so it travels wherever a msgid and its params go. A list of items (names
with their rows) is a param made by `listing(items)`: shown with the reader's list separator. A day
is a param made by `day(date)`: "1 March 2020" in English, "1 mars 2020" to a French reader (the
month is named when the message is shown, never stored in English only).

Messages stored before they had a plural form ("... (%(values)s values)") keep their old msgid in
the rows that have them: `FORMER_MSGIDS` shows them with the plural message that replaced them.
"""

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

from babel import UnknownLocaleError
from babel.dates import format_date
from django.utils import translation
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext

from places.localised_names import CLDR_LOCALES

# A list: stored messages ({message[, msgid, params]}) shown one after the other; a dict: one such message.
Param = str | int | float | list[dict[str, Any]] | dict[str, Any]
Params = dict[str, Param]

SEVERITY_LABELS = {"error": gettext_noop("ERROR"), "warning": gettext_noop("WARNING")}
PLURAL, NUMBER = "_plural", "_n"  # a plural message's params: its plural msgid and the number choosing the form
DAY = "_day"  # a day param's ISO date, named in the reader's language when shown
# The CLDR locale a day is written in, when not the language's own: English as the portal writes it.
DATE_LOCALES = {**CLDR_LOCALES, "en": "en_GB"}

# Messages stored before they had a plural form, each now the plural of a message with a singular:
# old msgid -> (the singular msgid, the param holding the number). Old rows are shown with the form
# their number asks for.
FORMER_MSGIDS: dict[str, tuple[str, str]] = {
    "Column %(column)s looks like a metric we did not take (%(why)s; %(values)s values): "
    "choose one: map it to a metric, or ignore it.": (
        "Column %(column)s looks like a metric we did not take (%(why)s; %(values)s value): "
        "choose one: map it to a metric, or ignore it.",
        "values",
    ),
    "Column %(column)s %(why)s (%(values)s values): left out; map it to the country "
    "(%(country)s, %(key)s) in column_places to take it.": (
        "Column %(column)s %(why)s (%(values)s value): left out; map it to the country "
        "(%(country)s, %(key)s) in column_places to take it.",
        "values",
    ),
    "Column %(column)s %(why)s (%(values)s values): left out; map it to the country in column_places to take it.": (
        "Column %(column)s %(why)s (%(values)s value): left out; map it to the country in column_places to take it.",
        "values",
    ),
    "Column %(column)s holds %(why)s (%(values)s values): left out.": (
        "Column %(column)s holds %(why)s (%(values)s value): left out.",
        "values",
    ),
    "%(value)s rows have no value and were left out.": ("%(value)s row has no value and was left out.", "value"),
    "%(value)s values for places mapped to nothing were left out.": (
        "%(value)s value for a place mapped to nothing was left out.",
        "value",
    ),
    "%(count)s of %(total)s values are identical to the canonical ones.": (
        "%(count)s of %(total)s values is identical to the canonical one.",
        "count",
    ),
    "... and %(values)s more distinct values with this problem (%(rows)s rows); fix the ones above first.": (
        "... and %(values)s more distinct value with this problem (number of rows: %(rows)s); fix the ones above "
        "first.",
        "values",
    ),
}


class Text(str):
    """The English message; `msgid` and `params` give it in any language."""

    msgid: str
    params: Params

    def __new__(cls, msgid: str, /, **params: Param) -> "Text":
        """`msgid` (marked with gettext_noop) with its params."""
        english = params
        for value in params.values():
            if isinstance(value, list | dict):  # stored messages: their English, one after the other
                english = {key: _joined(value, english=True) for key, value in params.items()}
                break
        form = params[PLURAL] if PLURAL in params and params.get(NUMBER) != 1 else msgid  # English's rule
        made = super().__new__(cls, str(form) % english if params else msgid)
        made.msgid = msgid
        made.params = params
        return made

    @classmethod
    def ngettext(cls, singular: str, plural: str, number: int, /, **params: Param) -> "Text":
        """`singular` or `plural` as `number` asks, in every language (the msgid is `singular`)."""
        forms: Params = {PLURAL: plural, NUMBER: int(number)}
        return cls(singular, **params, **forms)


def fields(message: str) -> dict[str, Any]:
    """The keys a stored entry gets for `message`: msgid and params when it is a Text, else none."""
    if isinstance(message, Text):
        return {"msgid": message.msgid, **({"params": dict(message.params)} if message.params else {})}
    return {}


def render(msgid: str | None, params: Mapping[str, Any] | None, english: str) -> str:
    """`msgid` in the active language with its params; `english` when there is no msgid or the
    translation does not fit the params."""
    if not msgid:
        return english
    try:
        if msgid in FORMER_MSGIDS and params and PLURAL not in params:
            singular, number = FORMER_MSGIDS[msgid]
            params = {**params, PLURAL: msgid, NUMBER: int(str(params[number]).replace(",", ""))}
            msgid = singular
        shown = {key: _joined(value, english=False) for key, value in params.items()} if params else None
        if shown and PLURAL in shown:
            return ngettext(msgid, str(shown[PLURAL]), int(shown[NUMBER])) % shown
        return gettext(msgid) % shown if shown else gettext(msgid)
    except (KeyError, TypeError, ValueError):
        return english


def _joined(value: Any, *, english: bool) -> Any:
    """A param as shown: a list of stored messages (a problem's, a mapping reason's) one after the other,
    a listing (its items with the list separator), a stored message."""
    if isinstance(value, dict) and DAY in value:
        return str(value.get("message", "")) if english else long_date(dt.date.fromisoformat(value[DAY]))
    if isinstance(value, list):
        return " ".join(str(e.get("message", "")) if english else translated(e) for e in value)
    if isinstance(value, dict) and "items" in value:
        if english:
            return str(value.get("message", ""))
        return pgettext("list separator", ", ").join(translated(e) for e in value["items"])
    if isinstance(value, dict):
        return str(value.get("message", "")) if english else translated(value)
    return value


def day(date: dt.date) -> dict[str, Any]:
    """A param naming a day: "1 March 2020" in English, in the reader's language when shown."""
    return {"message": long_date(date, "en"), DAY: date.isoformat()}


def long_date(date: dt.date, language: str | None = None) -> str:
    """A day as written in `language` (the active one by default): "1 March 2020", "1 de marzo de 2020"."""
    locale_name = translation.to_locale(language or translation.get_language() or "en")
    try:
        return format_date(date, "long", locale=DATE_LOCALES.get(locale_name, locale_name))
    except (UnknownLocaleError, ValueError):
        return format_date(date, "long", locale=DATE_LOCALES["en"])


def listing(items: Iterable[str]) -> dict[str, Any]:
    """A param listing `items` (messages), "a, b, c" in English and with the reader's separator."""
    kept = [stored(item) for item in items]
    return {"message": ", ".join(e["message"] for e in kept), "items": kept}


def stored(message: str) -> dict[str, Any]:
    """A message as stored next to others (a param of another message, a column's reason):
    {message[, msgid, params]}."""
    return {"message": str(message), **fields(message)}


def translated(entry: Mapping[str, Any]) -> str:
    """A stored problem or mapping reason's message in the active language."""
    return render(entry.get("msgid"), entry.get("params"), str(entry.get("message") or ""))


def reason_text(entry: Mapping[str, Any]) -> str:
    """A left-out column's or an unread sheet's `reason` in the active language (contributions.validation
    stores `reason_msgid` and `reason_params`, or `reason_parts`: the messages it is made of)."""
    english = str(entry.get("reason") or "")
    parts = entry.get("reason_parts")
    if parts:
        return " ".join(translated(p) for p in parts)
    return render(entry.get("reason_msgid"), entry.get("reason_params"), english)


def line_text(parts: Iterable[Any]) -> str:
    """One line of the problems CSV's translated column, from its stored parts
    ([severity, msgid, params, column, English message] each), as the English `error` column is
    written: `ERROR: message [column] | WARNING: ...`."""
    shown = []
    for severity, msgid, params, column, english in parts:
        label = gettext(SEVERITY_LABELS[severity]) if severity in SEVERITY_LABELS else str(severity).upper()
        shown.append(f"{label}: {render(msgid, params, english)}" + (f" [{column}]" if column else ""))
    return " | ".join(shown)


def dumps_lines(lines: list[list[list[Any]]]) -> str:
    return json.dumps(lines, ensure_ascii=False, separators=(",", ":"))
