"""seed_demo calls the apps' seeders lower apps first, however they were registered."""

from __future__ import annotations

from collaborators import demo as registry


def test_seeders_run_in_the_order_of_the_layers(monkeypatch):
    seeders = dict(registry._SEEDERS)
    # Registered out of order (as a test that removes and restores one leaves them).
    monkeypatch.setattr(
        registry, "_SEEDERS", {"extra": print, **dict(reversed(list(seeders.items())))}
    )
    assert list(registry.demo_seeders()) == ["audio", "releases", "rights", "extra"]
