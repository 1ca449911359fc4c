"""manage.py backup_portal DIR: dump the database (pg_dump, custom format) and copy the file store into DIR."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from dataset import backup


class Command(BaseCommand):
    help = "Back up the portal into a new folder: database.dump (pg_dump -Fc), media/ and exports/."

    def add_arguments(self, parser):
        parser.add_argument("output", help="a new or empty folder")
        parser.add_argument("--pg-bin", default="", help="folder of pg_dump (default: PATH, then Debian's)")

    def handle(self, *args, **options):
        try:
            manifest = backup.backup(
                output=Path(options["output"]),
                database=backup.Database.from_settings(connection.settings_dict),
                media_root=Path(settings.MEDIA_ROOT),
                exports_root=Path(settings.EXPORTS_ROOT),
                pg_bin=options["pg_bin"],
            )
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Backed up database {manifest['database']} ({manifest['dump_bytes']:,} bytes), "
            f"{manifest['media_files']:,} media files and {manifest['exports_files']:,} export files "
            f"into {options['output']}"
        )
