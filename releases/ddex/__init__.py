"""DDEX ERN 4.3 for Liner, with no Django in it: a release described as plain dataclasses
(``model``), built into a NewReleaseMessage (``build``), read back from one (``parse``),
checked against the published schema (``schema``), and a CD cue sheet (``cue``).

``releases.ddex.adapter`` is the one Django-side module here: it maps a ``Release`` to these
dataclasses and back.
"""
