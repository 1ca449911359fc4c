"""Roles: usernames that never collide, and a staff role that can use the admin."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib import admin
from django.urls import reverse

from accounts.models import User, unique_username


@pytest.mark.django_db
def test_accounts_without_a_username_get_a_unique_one_from_their_email():
    first = User.objects.create(email="Ana@Example.org")
    second = User.objects.create(email="ana@example.org")
    assert first.username == "ana@example.org"
    assert second.username == "ana@example.org-2"


def test_unique_username_stays_within_the_column():
    taken = {"x" * 150}
    name = unique_username("x" * 200, taken=taken.__contains__)
    assert len(name) == 150
    assert name.endswith("-2")


@pytest.mark.django_db
def test_the_migration_repairs_an_account_left_with_an_empty_username():
    user = User.objects.create(email="old@example.org", username="keep")
    User.objects.filter(pk=user.pk).update(username="")
    User.objects.create(email="other@example.org", username="old@example.org")  # the natural name is taken
    migration = importlib.import_module("accounts.migrations.0003_usernames_from_email")
    migration.fill_usernames(django_apps, None)
    user.refresh_from_db()
    assert user.username == "old@example.org-2"


@pytest.mark.django_db
def test_staff_can_open_every_admin_list_but_not_make_superusers(client, make_user):
    staff = make_user("staff@example.org", role="staff", countries=())
    client.force_login(staff)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert "You don’t have permission" not in index.content.decode()
    opened = 0
    for model in admin.site._registry:
        meta = model._meta
        response = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert response.status_code == 200, f"{meta.label}: {response.status_code}"
        opened += 1
    assert opened >= 10
    form = client.get(reverse("admin:accounts_user_change", args=[staff.pk])).content.decode()
    assert 'name="is_superuser"' not in form  # read-only for staff
    assert 'name="groups"' in form  # roles are theirs to give


@pytest.mark.django_db
def test_volunteers_and_reviewers_do_not_get_into_the_admin(client, make_user):
    for role in ("volunteer", "reviewer"):
        client.force_login(make_user(f"{role}@example.org", role=role))
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302
        assert "/login/" in response["Location"]
