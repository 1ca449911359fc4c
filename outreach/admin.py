"""Admin views of outreach data (staff also have the inbox and newsletter pages outside the admin)."""

from django.contrib import admin

from .models import ContactNote, ContactRequest, Newsletter, NewsletterDelivery, NewsletterSubscription


@admin.register(NewsletterSubscription)
class NewsletterSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "consented_at", "confirmed_at", "source_page"]
    list_filter = ["status"]
    search_fields = ["email"]
    readonly_fields = ["consent_text", "consented_at", "confirmation_sent_at", "confirmed_at", "unsubscribed_at"]


@admin.register(Newsletter)
class NewsletterAdmin(admin.ModelAdmin):
    list_display = ["subject", "status", "created_at", "send_started_at", "send_finished_at"]
    list_filter = ["status"]


@admin.register(NewsletterDelivery)
class NewsletterDeliveryAdmin(admin.ModelAdmin):
    list_display = ["newsletter", "email", "status", "attempts", "sent_at", "error"]
    list_filter = ["status", "newsletter"]
    search_fields = ["email"]


class ContactNoteInline(admin.TabularInline):
    model = ContactNote
    extra = 0


@admin.register(ContactRequest)
class ContactRequestAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "name", "organisation", "email", "status", "assignee"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "organisation", "email", "message"]
    inlines = [ContactNoteInline]
