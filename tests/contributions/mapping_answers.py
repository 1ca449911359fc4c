"""What a browser posts for a form as it is shown: the tests of the mapping page and the real-file
journeys answer the page the way a volunteer does, changing only what they would."""

import datetime as dt

from django.forms import Select


def form_answers(form, changes: dict) -> dict:
    """What a browser posts for the form as shown (each field's initial answer), with `changes`
    (None takes an answer away)."""
    data: dict = {}
    for name, form_field in form.fields.items():
        value = form[name].value()
        if value is None and type(form_field.widget) is Select:
            value = form_field.choices[0][0]  # a select shows, and posts, its first option
        if value in (None, "", [], False):
            continue
        if value is True:
            value = "on"
        elif isinstance(value, dt.date):
            value = value.isoformat()
        data[name] = value
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data
