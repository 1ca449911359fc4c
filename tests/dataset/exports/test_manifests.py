"""A release's segment listing kept as a delta on a base (manifests.Listing): whatever a release puts and
drops, its sizes, packs and stored file are those of the full list, and the next release reads it back."""

import random

from dataset.exports import manifests


def entry(segment: int, version: int, pack: str) -> list:
    return [segment, f"sha-{segment}-{version}", 100 + segment + version, pack, segment * 10, 40 + version]


def full_sizes(entries: list[list]) -> tuple[int, int]:
    return sum(e[2] for e in entries), sum(e[5] for e in entries)


def test_a_listing_changed_release_after_release_matches_its_full_list(tmp_path, monkeypatch):
    monkeypatch.setattr(manifests, "MIN_DELTA", 30)
    monkeypatch.setattr(manifests, "DELTA_SHARE", 4)
    rng = random.Random(7)
    full = {segment: entry(segment, 0, "p0") for segment in range(0, 400, 2)}
    manifests.write_listing(tmp_path, 1, {"number": 1}, manifests.Listing(changed=dict(full)))
    bases = {manifests.read_raw(tmp_path, 1)["base"]}
    for number in range(2, 40):
        _manifest, listing = manifests.read_listing(tmp_path, number - 1)
        listing = listing.copy()
        pack = f"p{number}"
        for _ in range(rng.randint(1, 12)):
            segment = rng.randrange(0, 420)
            if rng.random() < 0.3:
                listing.drop(segment)
                full.pop(segment, None)
            elif rng.random() < 0.2 and segment in full:  # written again with the same bytes: the same entry
                listing.put(list(full[segment]))
            else:
                full[segment] = entry(segment, number, pack)
                listing.put(full[segment])
        expected = [full[segment] for segment in sorted(full)]
        assert listing.entries() == expected
        assert listing.sizes() == full_sizes(expected)
        assert listing.packs() == sorted({e[3] for e in expected})
        manifests.write_listing(tmp_path, number, {"number": number}, listing)
        assert manifests.read_manifest(tmp_path, number)["segments"] == expected
        raw = manifests.read_raw(tmp_path, number)
        assert raw["packs"] == sorted({e[3] for e in expected})
        base = manifests.base_entries(tmp_path, raw["base"])
        assert len(raw["changed"]) + len(raw["removed"]) <= max(30, len(base) // 4)
        bases.add(raw["base"])
    assert len(bases) > 2  # the deltas grew past their share: new bases were written on the way


def test_a_segment_put_back_as_its_base_has_it_leaves_the_delta():
    base = manifests.Base.of(1, {1: entry(1, 0, "a"), 2: entry(2, 0, "a")})
    listing = manifests.Listing(base)
    listing.put(entry(1, 5, "b"))
    listing.drop(2)
    assert listing.changed
    assert listing.removed
    listing.put(entry(1, 0, "a"))
    listing.put(entry(2, 0, "a"))
    assert not listing.changed
    assert not listing.removed
    assert listing.packs() == ["a"]


def test_a_manifest_written_whole_is_read_as_a_listing_and_its_next_release_writes_a_base(tmp_path):
    listed = [entry(segment, 0, "old") for segment in range(5)]
    manifests.write_raw(tmp_path, 3, {"number": 3, "segments": listed, "blobs": {}})
    manifest, listing = manifests.read_listing(tmp_path, 3)
    assert "segments" not in manifest
    assert listing.entries() == listed
    listing.drop(4)
    manifests.write_listing(tmp_path, 4, {"number": 4}, listing)
    raw = manifests.read_raw(tmp_path, 4)
    assert raw["base"] == 4
    assert raw["changed"] == []
    assert raw["removed"] == []
    assert manifests.read_manifest(tmp_path, 4)["segments"] == listed[:4]
