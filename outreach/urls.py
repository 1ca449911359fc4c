"""Outreach URLs (mounted at the site root): newsletter, support, directory, coverage, staff tools."""

from django.urls import path

from .views import public, staff

app_name = "outreach"
urlpatterns = [
    path("newsletter/", public.newsletter_page, name="newsletter"),
    path("newsletter/subscribe/", public.subscribe, name="subscribe"),
    path("newsletter/check-your-inbox/", public.subscribe_done, name="subscribe_done"),
    path("newsletter/confirm/<str:token>/", public.confirm, name="confirm"),
    path("newsletter/unsubscribe/<str:token>/", public.unsubscribe, name="unsubscribe"),
    path("newsletter/profile/", public.profile_newsletter, name="profile_newsletter"),
    path("support/", public.support, name="support"),
    path("support/thanks/", public.contact_done, name="contact_done"),
    path("support/<slug:kind>/", public.contact_form, name="contact"),
    path("directory/", public.directory, name="directory"),
    path("coverage/", public.coverage_page, name="coverage"),
    path("my-countries/", public.next_steps, name="next_steps"),
    path("staff/inbox/", staff.inbox, name="inbox"),
    path("staff/inbox/<int:pk>/", staff.inbox_detail, name="inbox_detail"),
    path("staff/newsletters/", staff.newsletters, name="newsletters"),
    path("staff/newsletters/new/", staff.newsletter_edit, name="newsletter_new"),
    path("staff/newsletters/subscribers.csv", staff.subscribers_csv, name="subscribers_csv"),
    path("staff/newsletters/<int:pk>/", staff.newsletter_detail, name="newsletter_detail"),
    path("staff/newsletters/<int:pk>/edit/", staff.newsletter_edit, name="newsletter_edit"),
    path("staff/newsletters/<int:pk>/test/", staff.newsletter_test, name="newsletter_test"),
    path("staff/newsletters/<int:pk>/send/", staff.newsletter_send, name="newsletter_send"),
    path("staff/newsletters/<int:pk>/resume/", staff.newsletter_resume, name="newsletter_resume"),
    path("staff/newsletters/<int:pk>/progress/", staff.newsletter_progress, name="newsletter_progress"),
]
