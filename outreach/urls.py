"""Outreach URLs (mounted at the site root): newsletter, support, directory, coverage, staff tools."""
from django.urls import path

from . import views

app_name = "outreach"
urlpatterns = [
    path("newsletter/", views.newsletter_page, name="newsletter"),
    path("newsletter/subscribe/", views.subscribe, name="subscribe"),
    path("newsletter/check-your-inbox/", views.subscribe_done, name="subscribe_done"),
    path("newsletter/confirm/<str:token>/", views.confirm, name="confirm"),
    path("newsletter/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("newsletter/profile/", views.profile_newsletter, name="profile_newsletter"),
    path("support/", views.support, name="support"),
    path("support/thanks/", views.contact_done, name="contact_done"),
    path("support/<slug:kind>/", views.contact_form, name="contact"),
    path("directory/", views.directory, name="directory"),
    path("coverage/", views.coverage_page, name="coverage"),
    path("my-countries/", views.next_steps, name="next_steps"),
    path("staff/inbox/", views.inbox, name="inbox"),
    path("staff/inbox/<int:pk>/", views.inbox_detail, name="inbox_detail"),
    path("staff/newsletters/", views.newsletters, name="newsletters"),
    path("staff/newsletters/new/", views.newsletter_edit, name="newsletter_new"),
    path("staff/newsletters/subscribers.csv", views.subscribers_csv, name="subscribers_csv"),
    path("staff/newsletters/<int:pk>/", views.newsletter_detail, name="newsletter_detail"),
    path("staff/newsletters/<int:pk>/edit/", views.newsletter_edit, name="newsletter_edit"),
    path("staff/newsletters/<int:pk>/test/", views.newsletter_test, name="newsletter_test"),
    path("staff/newsletters/<int:pk>/send/", views.newsletter_send, name="newsletter_send"),
    path("staff/newsletters/<int:pk>/resume/", views.newsletter_resume, name="newsletter_resume"),
    path("staff/newsletters/<int:pk>/progress/", views.newsletter_progress, name="newsletter_progress"),
]
