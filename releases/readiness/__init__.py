"""Release readiness: one report per release listing every blocker and warning per delivery
profile (the stores of ``audio.dsp.profiles`` and the physical formats the release has an
edition in), each saying what to do and linking to where it is done. A release cannot move
to "ready" while a blocker remains (``releases.services.catalogue.release_update``).

Checks, one module per family under ``checks/``: masters signed off and locked, the audio QC
verdict of each master per profile, artwork per profile, ISRC and UPC, credits, explicit
flags, store style rules, delivery lead time, the physical formats (CD, vinyl and cassette
sides; figures and their sources in ``figures``), the deliverables checklist. Other apps add
theirs through ``releases.registry.register_readiness_check``.
"""

from .context import ReleaseContext, readiness_context
from .findings import Finding, blocker, warning
from .report import ProfileReport, Report, readiness_report

__all__ = [
    "Finding",
    "ProfileReport",
    "ReleaseContext",
    "Report",
    "blocker",
    "readiness_context",
    "readiness_report",
    "warning",
]
