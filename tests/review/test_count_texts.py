"""The volunteer's e-mail counts values as English says them: "1 value added", "1 value kept"."""

from types import SimpleNamespace

from django.template.loader import render_to_string


def _merged_mail(added: int, skipped: int) -> str:
    submission = SimpleNamespace(pk=7, source=SimpleNamespace(name="Ministero della Salute"))
    release = SimpleNamespace(
        number=12, values_added=added, values_changed=0, values_unchanged=3, values_skipped=skipped
    )
    context = {"recipient": SimpleNamespace(display_name="Giulia"), "event": "merged", "submission": submission}
    return render_to_string("review/email/submission_event.txt", {**context, "release": release, "url": "/s/7"})


def test_one_value_is_one_value_in_the_merged_mail():
    mail = _merged_mail(added=1, skipped=1)

    assert "in release 12: 1 value added, 0 changed, 3 unchanged." in mail
    assert "1 value kept from a higher-priority source: the dataset keeps its figure for it." in mail


def test_several_values_keep_the_plural():
    mail = _merged_mail(added=1200, skipped=3)

    assert "in release 12: 1200 values added, 0 changed, 3 unchanged." in mail
    assert "3 values kept from higher-priority sources:" in mail
