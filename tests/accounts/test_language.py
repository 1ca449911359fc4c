"""The language of the pages: the browser's, the switcher's, and a signed-in person's profile first."""

import json

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.forms import VolunteerProfileForm
from accounts.language import in_language_of, language_of, remember_language, supported_language
from accounts.models import User
from portal.catalogues import compile_catalogue, set_headers
from tests.accounts.factories import UserFactory
from tests.accounts.test_signup import sign_up


def html_tag(response) -> str:
    content = response.content.decode()
    start = content.index("<html")
    return content[start : content.index(">", start) + 1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "tag"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.5", '<html lang="fr" dir="ltr">'),
        ("ar", '<html lang="ar" dir="rtl">'),
        ("zh-CN,zh;q=0.9", '<html lang="zh-hans" dir="ltr">'),
        ("de-DE", '<html lang="en" dir="ltr">'),  # no German: the default language
    ],
)
def test_pages_follow_the_browsers_language_without_a_prefix_in_the_address(client, accept, tag):
    response = client.get(reverse("about"), HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    assert html_tag(response) == tag
    assert response.request["PATH_INFO"] == "/about/"


@pytest.mark.django_db
def test_every_page_has_the_switcher_with_each_language_named_in_itself(client):
    content = client.get(reverse("about")).content.decode()
    assert f'action="{reverse("set_language")}"' in content
    for code, name in settings.LANGUAGES:
        assert f'<option value="{code}" lang="{code}"' in content
        assert name in content
    assert reverse("set_language") == "/i18n/setlang/"


@pytest.mark.django_db
def test_the_switcher_sets_the_language_for_the_next_pages_and_comes_back(client):
    response = client.post(reverse("set_language"), {"language": "ar", "next": "/about/"})
    assert response.status_code == 302
    assert response["Location"] == "/about/"
    assert html_tag(client.get("/about/", HTTP_ACCEPT_LANGUAGE="en")) == '<html lang="ar" dir="rtl">'


@pytest.mark.django_db
def test_the_switcher_saves_a_signed_in_persons_choice_to_the_profile(client, reference_data):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "pt", "next": "/about/"})
    user.refresh_from_db()
    assert user.language == "pt"
    # A code that is no language of the portal changes nothing.
    client.post(reverse("set_language"), {"language": "de", "next": "/about/"})
    user.refresh_from_db()
    assert user.language == "pt"


@pytest.mark.django_db
def test_the_profile_language_wins_over_the_cookie_and_the_browser(client, reference_data):
    user = UserFactory(language="es")
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})  # before signing in: a cookie only
    assert html_tag(client.get("/about/")) == '<html lang="fr" dir="ltr">'
    client.force_login(user)
    assert html_tag(client.get("/about/", HTTP_ACCEPT_LANGUAGE="en")) == '<html lang="es" dir="ltr">'


@pytest.mark.django_db
def test_without_a_profile_language_the_browser_decides_for_a_signed_in_person(client, reference_data):
    client.force_login(UserFactory())
    assert html_tag(client.get("/about/", HTTP_ACCEPT_LANGUAGE="ar")) == '<html lang="ar" dir="rtl">'


@pytest.mark.django_db
def test_signing_up_keeps_the_language_the_person_signed_up_in(client, reference_data):
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    sign_up(client, email="ana@example.org")
    assert User.objects.get(email="ana@example.org").language == "es"


@pytest.mark.django_db
def test_the_profile_form_shows_and_saves_the_language(client, reference_data):
    user = UserFactory(language="fr")
    form = VolunteerProfileForm(instance=user.profile)
    assert form["language"].value() == "fr"
    client.force_login(user)
    data = {
        "display_name": "Ana",
        "primary_country": user.profile.primary_country_id,
        "skills": ["data_analysis"],
        "language": "zh-hans",
    }
    response = client.post(reverse("accounts:profile"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert user.language == "zh-hans"
    data["language"] = ""  # back to the browser's language
    client.post(reverse("accounts:profile"), data)
    user.refresh_from_db()
    assert user.language == ""


@pytest.mark.django_db
def test_mail_is_written_in_the_recipients_language(reference_data):
    user = UserFactory(language="ar")
    before = translation.get_language()
    with in_language_of(user) as code:
        assert code == "ar"
        assert translation.get_language() == "ar"
    assert translation.get_language() == before
    assert language_of(UserFactory()) == "en"  # no choice: the portal's default
    assert language_of(None) == "en"


def test_supported_language_maps_browser_codes_to_the_portals():
    assert supported_language("es-ES") == "es"
    assert supported_language("zh-Hans") == "zh-hans"
    assert supported_language("pt-BR") == "pt"
    assert supported_language("de") == ""
    assert supported_language("") == ""


def test_nobody_signed_in_has_no_language_to_remember():
    from django.contrib.auth.models import AnonymousUser

    assert remember_language(AnonymousUser(), "es") is False


@pytest.mark.django_db
def test_the_javascript_catalogue_is_the_portals_own_and_follows_the_language(client, settings, tmp_path):
    catalogue = polib.POFile()
    set_headers(catalogue, "ar")
    catalogue.append(polib.POEntry(msgid="Loading…", msgstr="جارٍ التحميل…"))
    path = tmp_path / "ar" / "LC_MESSAGES" / "djangojs.po"
    path.parent.mkdir(parents=True)
    catalogue.save(str(path))
    compile_catalogue(path)
    settings.LOCALE_PATHS = [tmp_path]

    response = client.get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = json.loads(response.content.decode().split("const newcatalog = ")[1].split(";\n")[0])
    assert body == {"Loading…": "جارٍ التحميل…"}  # the portal's strings only, not the admin's
    assert "n%100>=11 && n%100<=99 ? 4 : 5" in response.content.decode()  # Arabic's six plural forms
    page = client.get(reverse("about")).content.decode()
    assert page.index('src="/jsi18n/"') < page.index("js/forms.js")  # loaded before the other scripts
