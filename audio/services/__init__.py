"""Writes and business rules of the audio app."""
