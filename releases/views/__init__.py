"""The releases pages, one module per concern: catalogue (releases, tracks, credits, artwork,
editions, settings) and review (a track's mix versions, comments, sign-off and lock)."""
