"""Models of this app arrive with its first issue."""
