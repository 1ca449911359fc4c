"""Write the canonical dataset in one export format into a folder, or rebuild a past release's files."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dataset.exports import FORMATS, export
from dataset.exports.publish import publish_release
from dataset.exports.release import rebuild_release
from dataset.models import Release


class Command(BaseCommand):
    help = (
        "Export the dataset: tidy CSV (+gzip), JHU time-series layout, Parquet, or a Frictionless Data Package; "
        "or, with --release N, rebuild release N's files as they were published (from the values' history)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, dest="fmt")
        parser.add_argument("--output", help="Folder to write into (created if missing)")
        parser.add_argument(
            "--release", type=int, help="Rebuild this release's files (into --output, or its own folder of exports)"
        )

    def handle(self, *args, fmt, output, release, **options):
        if release is not None:
            return self._rebuild(release, output)
        if not fmt or not output:
            raise CommandError("Give --format and --output, or --release N.")
        for path in export(fmt, Path(output)):
            self.stdout.write(f"{path}  {path.stat().st_size:,} bytes")

    def _rebuild(self, number: int, output: str | None) -> None:
        found = Release.objects.filter(number=number).first()
        if found is None:
            raise CommandError(f"There is no release number {number}.")
        differ = []
        for name, sha, recorded_or_pending in rebuild_release(found, Path(output) if output else None):
            recorded = recorded_or_pending or None  # "" while the follow-up task has not recorded it
            note = (
                "no checksum recorded" if recorded is None else ("checksum matches" if recorded == sha else "DIFFERS")
            )
            if recorded is not None and recorded != sha:
                differ.append(name)
            self.stdout.write(f"{name}  {sha}  {note}")
        if differ:
            raise CommandError(
                f"{len(differ)} file(s) differ from those published with release {number} ({', '.join(differ)}): "
                "a place, metric or source has been renamed or edited since."
            )
        if output is None:  # the same bytes as published: back into the store readers download from, if remote
            publish_release(found)
