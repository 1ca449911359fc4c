"""Import JHU CSSE time-series files (global and US layouts) into the canonical dataset as one release."""

from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dataset import ended
from dataset.jhu import JHU_SOURCE, JhuPlacer, save_jhu_rows
from dataset.jhu_files import JhuFileError, read_jhu_file
from dataset.upsert import UpsertError, upsert_observations
from places.jhu_lookup import load_jhu_lookup_populations
from places.populations import save_jhu_populations
from sources.models import Source, normalise_url


def jhu_source() -> Source:
    """The JHU CSSE source, found by its normalised URL or created (approved, aggregator priority)."""
    source = Source.objects.filter(url_normalised=normalise_url(JHU_SOURCE["url"])).first()
    if source is None:
        source = Source.objects.create(**JHU_SOURCE)
    return source


class Command(BaseCommand):
    help = (
        "Import JHU CSSE time series (time_series_covid19_<metric>_global.csv or _US.csv). "
        "Every file is checked before anything is written; all files make one release."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="JHU time-series CSV files")
        parser.add_argument("--no-exports", action="store_true", help="Do not build the release's exports")

    def handle(self, *args, files, no_exports=False, **options):
        paths = [Path(f) for f in files]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
        try:
            parsed = [read_jhu_file(path) for path in paths]
            placer = JhuPlacer()
            keys = [placer.place(jhu_file) for jhu_file in parsed]
        except JhuFileError as exc:
            raise CommandError(f"{exc} Nothing was imported.")
        source = jhu_source()
        names = ", ".join(p.name for p in paths)
        with transaction.atomic():
            ids = placer.create()
            for jhu_file, file_keys in zip(parsed, keys, strict=True):
                jhu_file.location_ids = _ids(ids, file_keys)
                save_jhu_rows(jhu_file)
                _save_populations(jhu_file)
            load_jhu_lookup_populations()  # provinces this import created get JHU's figure too
            try:
                result = upsert_observations(
                    (jhu_file.long_frame() for jhu_file in parsed),
                    source=source,
                    description=f"JHU CSSE import: {names}"[:300],
                    schedule_exports=not no_exports,
                )
            except UpsertError as exc:
                raise CommandError(f"{names}: {exc}. Nothing was imported.")
            marked = sum(_mark_zeroed(jhu_file) for jhu_file in parsed)
        release = f"release {result.release.number}" if result.release else "no new release (nothing changed)"
        self.stdout.write(
            f"Imported {len(paths)} file(s): {result.added} values added, {result.changed} changed, "
            f"{result.unchanged} unchanged, {result.skipped} kept (higher-priority source); {release}."
        )
        if marked:
            self.stdout.write(f"{marked} series marked no longer reported where JHU set them to 0.")


def _save_populations(jhu_file) -> None:
    """JHU's US files carry each county's population (from its UID lookup table): keep it."""
    figures = [extra.get("Population", "") for extra in jhu_file.rows["extra"]]
    if not any(figures):
        return
    save_jhu_populations(zip(jhu_file.placed_ids().tolist(), figures, strict=True))


def _mark_zeroed(jhu_file) -> int:
    """JHU zeroed its recovered series when it stopped counting them: mark each as ended there."""
    if jhu_file.metric.code not in ended.JHU_ZEROED_METRICS:
        return 0
    starts = ended.zeroed_tails(jhu_file.long_frame())
    return ended.mark_ended(metric_id=jhu_file.metric.pk, starts=starts, link=ended.JHU_LINK)


def _ids(ids, keys):
    return np.array([ids[key] for key in keys], dtype="int64")
