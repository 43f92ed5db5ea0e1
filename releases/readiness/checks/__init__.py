"""The built-in readiness checks, one module per family, in the order the report lists them.
Each is ``fn(ctx) -> findings``, like the checks other apps register (``releases.registry``)."""

from __future__ import annotations

from ..profiles import DIGITAL
from .artwork import check_artwork
from .audio_qc import check_audio_qc
from .codes import check_codes
from .credits import check_credits
from .deliverables import check_deliverables
from .explicit import check_explicit
from .lead_time import check_lead_time
from .masters import check_masters
from .physical import check_physical
from .style import check_style

# (name, fn, profiles): None means every profile the release goes to.
BUILTIN_CHECKS = (
    ("masters", check_masters, None),
    ("audio_qc", check_audio_qc, None),
    ("artwork", check_artwork, None),
    ("codes", check_codes, None),
    ("credits", check_credits, None),
    ("explicit", check_explicit, DIGITAL),
    ("style", check_style, DIGITAL),
    ("lead_time", check_lead_time, None),
    ("physical", check_physical, None),
    ("deliverables", check_deliverables, None),
)
