"""The releases app's writes, one module per concern: catalogue, artwork, review, guests,
notifications."""
