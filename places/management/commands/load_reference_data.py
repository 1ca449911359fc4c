"""Load countries, subdivisions, aliases and metrics; safe to run any number of times."""

from typing import Any

from django.core.management.base import BaseCommand

from places.reference import load_reference_data


class Command(BaseCommand):
    help = "Load ISO 3166 countries and subdivisions, their alternative names, populations and the metrics catalogue."

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_reference_data()
        self.stdout.write(
            f"Locations: {result.locations_total} ({result.locations_created} new); "
            f"aliases: {result.aliases_created} new; metrics: {result.metrics_created} new; "
            f"populations: {result.populations_changed} set or updated."
        )
        if result.populations_unplaced:
            count, unplaced = len(result.populations_unplaced), "; ".join(result.populations_unplaced)
            self.stdout.write(f"JHU lookup rows placed on no single place ({count}): {unplaced}")
