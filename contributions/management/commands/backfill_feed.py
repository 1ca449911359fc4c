"""Fetch a date range once from a date-pattern feed, each day's file a submission (files already
filed are skipped): `python manage.py backfill_feed FEED_ID --from 2020-02-24 --to 2020-03-07`."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contributions import feed_runs
from sources.models import Feed


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("feed_id", type=int)
        parser.add_argument("--from", dest="first", type=dt.date.fromisoformat, required=True)
        parser.add_argument("--to", dest="last", type=dt.date.fromisoformat, required=True)
        parser.add_argument("--combined", action="store_true", help="one submission of all the days' files")

    def handle(self, *args: Any, **options: Any) -> None:
        if not Feed.objects.filter(pk=options["feed_id"]).exists():
            raise CommandError(f"There is no feed {options['feed_id']}.")
        try:
            result = feed_runs.backfill(
                feed_id=options["feed_id"], first=options["first"], last=options["last"], combined=options["combined"]
            )
        except feed_runs.BackfillRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{len(result.created)} file(s) filed, {result.unchanged} already known.")
        if result.error:
            self.stdout.write(f"Not fetched: {result.error}")
