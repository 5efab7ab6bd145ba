"""The listing's folder index (openaifs/cache.py) against a brute-force reading of the
same names, under random writes and deletes: no server needed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from openaifs.cache import Listing
from openaifs.paths import folders_of, is_valid_filename

segments = st.sampled_from(["a", "b", "c", "", ".", ".."])
names = st.lists(segments, min_size=1, max_size=4).map("/".join)
ops = st.lists(st.tuples(st.booleans(), names, st.integers(0, 3)), max_size=40)


def brute(files: dict[str, dict]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """folder -> names directly in it, folder -> sub-folders, from the live names alone."""
    direct: dict[str, set[str]] = {}
    subs: dict[str, set[str]] = {}
    for f in files.values():
        name = f["filename"]
        chain = folders_of(name) if is_valid_filename(name) else []
        direct.setdefault(chain[-1] if chain else "", set()).add(name)
        for path in chain:
            subs.setdefault(path.rpartition("/")[0], set()).add(path)
    return direct, subs


@settings(max_examples=150, deadline=None)
@given(ops)
def test_the_index_matches_the_names_after_any_writes_and_deletes(steps):
    listing = Listing([])
    live: dict[str, dict] = {}
    for number, (write, name, version) in enumerate(steps):
        if write:
            f = {"id": f"file-{number}", "purpose": "p", "filename": name, "created_at": number}
            listing.add([f], listed=False)
            live[f["id"]] = f
        else:
            gone = [i for i, f in live.items() if f["filename"] == name][: version + 1]
            listing.remove(gone)
            for i in gone:
                del live[i]
    direct, subs = brute(live)
    for folder in {"", *direct, *subs}:
        files, folders = listing.folder("p", folder)
        assert {f["filename"] for f in files} == direct.get(folder, set())
        assert set(folders) == subs.get(folder, set())
        if folder:
            assert listing.is_folder("p", folder)
    below, below_folders = listing.below("p", "")
    assert {f["filename"] for f in below} == {
        f["filename"] for f in live.values() if is_valid_filename(f["filename"])
    }
    assert set(below_folders) == {p for ps in subs.values() for p in ps}
    assert {f["id"] for f in listing.versions_below("p", "")} == set(live)
    assert not listing.is_folder("p", "zzz")
