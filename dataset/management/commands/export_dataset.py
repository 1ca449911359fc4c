"""Write the canonical dataset in one export format into a folder."""

from pathlib import Path

from django.core.management.base import BaseCommand

from dataset.exports import FORMATS, export


class Command(BaseCommand):
    help = "Export the dataset: tidy CSV (+gzip), JHU time-series layout, Parquet, or a Frictionless Data Package."

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=FORMATS, dest="fmt")
        parser.add_argument("--output", required=True, help="Folder to write into (created if missing)")

    def handle(self, *args, fmt, output, **options):
        for path in export(fmt, Path(output)):
            self.stdout.write(f"{path}  {path.stat().st_size:,} bytes")
