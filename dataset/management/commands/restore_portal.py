"""manage.py restore_portal DIR: create the configured database from DIR's dump and copy DIR's files back."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from dataset import backup


class Command(BaseCommand):
    help = (
        "Restore a backup_portal folder into a new database (the one DATABASE_URL names, or --database) "
        "and empty MEDIA_ROOT / EXPORTS_ROOT folders."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="a folder written by backup_portal")
        parser.add_argument("--database", default="", help="name of the database to create (default: DATABASE_URL's)")
        parser.add_argument("--media-root", default="", help="folder for the files (default: MEDIA_ROOT)")
        parser.add_argument("--exports-root", default="", help="folder for release files (default: EXPORTS_ROOT)")
        parser.add_argument("--jobs", type=int, default=1, help="parallel pg_restore jobs")
        parser.add_argument("--pg-bin", default="", help="folder of pg_restore (default: PATH, then Debian's)")

    def handle(self, *args, **options):
        media_root = Path(options["media_root"] or settings.MEDIA_ROOT)
        default_exports = Path(settings.EXPORTS_ROOT)
        if options["media_root"] and default_exports.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve()):
            default_exports = media_root / default_exports.resolve().relative_to(Path(settings.MEDIA_ROOT).resolve())
        try:
            database = backup.Database.from_settings(connection.settings_dict)
            if options["database"]:
                database = backup.Database(**{**database.__dict__, "name": options["database"]})
            restored = backup.restore(
                source=Path(options["source"]),
                database=database,
                media_root=media_root,
                exports_root=Path(options["exports_root"] or default_exports),
                pg_bin=options["pg_bin"],
                jobs=options["jobs"],
            )
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored database {restored['database']}, {restored['media_files']:,} media files and "
            f"{restored['exports_files']:,} export files. "
            "Next: manage.py migrate (nothing to apply when the code is the backup's version)."
        )
