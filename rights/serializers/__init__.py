"""Rights API serializers, a module per area."""
