"""allauth adapter: mail that names the portal, sent through Celery; where people land after sign-in;
the client address its rate limits count (common.client_ip)."""

from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language

from common.client_ip import client_ip

from .language import supported_language


@dataclass(frozen=True)
class PortalSite:
    """What allauth's mail templates call `current_site`: the portal's name and address."""

    name: str
    domain: str


def portal_site() -> PortalSite:
    return PortalSite(name=settings.SITE_NAME, domain=settings.SITE_URL)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        from .tasks import send_rendered_email

        context = {"email": email, **context, "current_site": portal_site()}
        message = self.render_mail(template_prefix, email, context)
        html = next((body for body, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), "")
        if not html:
            html = render_to_string(
                "accounts/email/message.html",
                {"subject": message.subject, "body": message.body, "site": context["current_site"]},
            )
        send_rendered_email.delay_on_commit(subject=message.subject, body=message.body, to=list(message.to), html=html)

    def save_user(self, request, user, form, commit=True):
        """A new account keeps the language its person signed up in (changeable on the profile)."""
        user.language = supported_language(get_language())
        return super().save_user(request, user, form, commit=commit)

    def get_client_ip(self, request):
        """The client behind TRUSTED_PROXIES (not the proxy): allauth's per-IP limits key on it."""
        return client_ip(request)

    def get_login_redirect_url(self, request):
        """Volunteers finish onboarding first; reviewers and staff go to their queue."""
        user = request.user
        if user.is_reviewer:
            return reverse("review:queue")
        profile = getattr(user, "profile", None)
        if profile is None or not profile.is_complete:
            return reverse("accounts:onboarding")
        return super().get_login_redirect_url(request)
