"""Alias names are compared in the form `normalise_name` gives. It now spells out letters that NFKD
alone dropped ("Łódź" was "odz", is "lodz") and reads ’ as a space like ' ("Côte-d’Azur" was
"cote dazur", is "cote d azur"), so the stored forms are computed again."""

import unicodedata

from django.db import migrations

LETTERS_TO_SPELL_OUT = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ħ": "h",
        "\u0131": "i",  # dotless i
        "ə": "a",
        "ǝ": "a",
    }
)


def normalise_name(text):
    """places.models.normalise_name as of this migration."""
    text = unicodedata.normalize("NFKD", str(text).lower().translate(LETTERS_TO_SPELL_OUT))
    # Accents go; any other character that is not a letter or digit (’ as ') separates words.
    spaced = "".join(" " if not ch.isalnum() else ch for ch in text if not unicodedata.combining(ch))
    cleaned = spaced.encode("ascii", "ignore").decode("ascii")
    return " ".join(cleaned.split())


def recompute(apps, schema_editor):
    LocationAlias = apps.get_model("places", "LocationAlias")
    changed = []
    for alias in LocationAlias.objects.only("id", "text", "normalised").iterator(chunk_size=2000):
        normalised = normalise_name(alias.text)
        if normalised != alias.normalised:
            alias.normalised = normalised
            changed.append(alias)
    LocationAlias.objects.bulk_update(changed, ["normalised"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("places", "0001_initial")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
