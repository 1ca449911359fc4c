"""Outreach tasks: thin wrappers that load by id and call a service; each is safe to run twice."""

from celery import shared_task

from common.tasks import PortalTask

from .services import contact, newsletter, subscriptions


@shared_task(base=PortalTask)
def send_newsletter_confirmation(subscription_id: int, language: str = "en") -> bool:
    """The double opt-in link, in the sign-up page's language; nothing is sent if the address is no longer pending."""
    return subscriptions.send_confirmation(subscription_id=subscription_id, language=language)


@shared_task(base=PortalTask)
def send_newsletter_batch(newsletter_id: int, delivery_ids: list[int]) -> int:
    """One batch of an issue; rows already claimed or sent are skipped, so re-dispatching is safe."""
    return newsletter.send_batch(newsletter_id=newsletter_id, delivery_ids=delivery_ids)


@shared_task(base=PortalTask)
def send_contact_emails(request_id: int, language: str = "en") -> None:
    contact.send_emails(request_id=request_id, language=language)


@shared_task(base=PortalTask)
def resume_stalled_newsletters() -> int:
    """Beat task: a send with no progress for longer than the claim lease lost its worker; resume it."""
    return newsletter.resume_stalled()
