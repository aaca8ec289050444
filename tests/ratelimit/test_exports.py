"""``sentinel.ratelimit.__all__`` is sorted, complete for what the docs use, and all importable."""

from __future__ import annotations

import sentinel.ratelimit as package


def test_all_is_sorted_unique_and_importable() -> None:
    assert package.__all__ == sorted(package.__all__, key=lambda n: (not n.isupper(), n))
    assert len(set(package.__all__)) == len(package.__all__)
    for name in package.__all__:
        assert getattr(package, name) is not None


def test_every_public_name_is_exported() -> None:
    public = {
        name
        for name, value in vars(package).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith("sentinel.ratelimit")
    }
    assert public <= set(package.__all__)
