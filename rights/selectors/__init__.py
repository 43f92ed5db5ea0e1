"""Rights reads that are more than a one-line queryset, a module per area."""
