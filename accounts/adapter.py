"""allauth adapter: send mail through Celery, and send new volunteers to onboarding first."""
from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        from .tasks import send_rendered_email

        message = self.render_mail(template_prefix, email, context)
        html = next((body for body, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), "")
        send_rendered_email.delay_on_commit(
            subject=message.subject, body=message.body, to=list(message.to), html=html
        )

    def get_login_redirect_url(self, request):
        profile = getattr(request.user, "profile", None)
        if profile is None or not profile.is_complete:
            return reverse("accounts:onboarding")
        return super().get_login_redirect_url(request)
