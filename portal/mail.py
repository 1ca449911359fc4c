"""The development mail backend: each mail goes to a file under EMAIL_FILE_PATH (`sent-mail/`), and the
console gets one line saying to whom it went and which file holds it (links to click are in there)."""
import logging
import os

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend

logger = logging.getLogger("portal.mail")


class DevelopmentFileBackend(EmailBackend):
    def write_message(self, message):
        super().write_message(message)
        path = os.path.relpath(self._fname, settings.BASE_DIR)
        if path.startswith(".."):
            path = self._fname
        logger.info("Mail to %s (%s) written to %s", ", ".join(message.recipients()), message.subject, path)
