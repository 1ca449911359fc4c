"""The development mail backend: each mail goes to a file under EMAIL_FILE_PATH (`sent-mail/`), and the
console gets one line saying to whom it went and which file holds it (links to click are in there)."""

import logging
import os

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend
from django.core.mail.message import EmailMessage

logger = logging.getLogger("portal.mail")


class DevelopmentFileBackend(EmailBackend):
    _fname: str  # the file open() made for this batch (Django sets it; the stubs leave it out)

    def write_message(self, message: EmailMessage) -> None:
        super().write_message(message)
        path = os.path.relpath(self._fname, settings.BASE_DIR)
        if path.startswith(".."):
            path = self._fname
        logger.info("Mail to %s (%s) written to %s", ", ".join(message.recipients()), message.subject, path)
