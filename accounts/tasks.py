"""Mail is sent by the worker so a slow SMTP server never holds up a page."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from common.tasks import PortalTask


@shared_task(base=PortalTask)
def send_rendered_email(*, subject: str, body: str, to: list[str], html: str = "") -> None:
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
