"""Store style rules for titles, as the stores' metadata style guides state them (Apple
Music's Style Guide, Spotify's metadata guidelines, the distributors' ingestion rules).
Plain Python.

- Featured artists are credited as featured artists, not typed into the title ("feat. …"):
  stores build "Song (feat. X)" themselves from the credits.
- No titles in capitals only (unless the artist really styles it so, which stores ask to be
  confirmed): Apple refuses them, others may correct them.
- Versions ("Radio Edit", "Acoustic", "2024 Remaster") go in the version field, not the
  title, so every store shows them the same way.
"""

from __future__ import annotations

import re

_FEAT = re.compile(
    r"[\(\[]\s*(?:feat\.?|ft\.?|featuring|with)\s+[^\)\]]+[\)\]]"
    r"|\s(?:feat\.|ft\.|featuring)\s+.+$",
    re.IGNORECASE,
)
_VERSION_WORDS = (
    r"remix|mix|edit|version|live|acoustic|remaster(?:ed)?|instrumental|extended|demo|dub|"
    r"a\s?cappella|acapella|rework|bootleg|vip|unplugged|stripped|mono|stereo|karaoke"
)
_VERSION = re.compile(
    rf"[\(\[]([^\)\]]*\b(?:{_VERSION_WORDS})\b[^\)\]]*)[\)\]]\s*$"
    rf"|\s[-–—]\s([^-–—]*\b(?:{_VERSION_WORDS})\b[^-–—]*)$",
    re.IGNORECASE,
)


def featured_in_title(title: str) -> str | None:
    """The "feat. …" part of a title, if it has one."""
    found = _FEAT.search(title or "")
    return found.group(0).strip() if found else None


def version_in_title(title: str) -> str | None:
    """The version a title carries at its end ("Radio Edit" of "Song (Radio Edit)")."""
    found = _VERSION.search(title or "")
    if not found:
        return None
    return (found.group(1) or found.group(2) or "").strip() or None


def all_caps(title: str) -> bool:
    """Capitals only, in a title long enough not to be an acronym ("ABBA", "USA" pass)."""
    letters = [c for c in title or "" if c.isalpha()]
    return len(letters) >= 5 and all(c.isupper() for c in letters) and " " in title.strip()
