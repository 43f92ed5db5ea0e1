"""One finding of the readiness report: what is wrong, what to do about it, and where."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

Severity = Literal["blocker", "warning"]
SEVERITIES: tuple[str, ...] = ("blocker", "warning")


@dataclass(frozen=True)
class Finding:
    """``message`` says what to do ("Lock an approved master of “Low Tide”."), ``fix_url`` is
    the page where it is done. ``profile`` None: every profile its check covers."""

    code: str
    severity: Severity
    message: str
    fix_url: str = ""
    track_id: int | None = None
    profile: str | None = None
    check: str = ""

    @property
    def blocker(self) -> bool:
        return self.severity == "blocker"

    def on(self, profile: str) -> Finding:
        return replace(self, profile=profile)

    def key(self) -> tuple[Any, ...]:
        """The same finding said for several profiles is one thing to do."""
        return (self.check, self.code, self.message, self.track_id)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("profile")
        return out


def blocker(code: str, message: str, fix_url: str = "", **kw: Any) -> Finding:
    return Finding(code=code, severity="blocker", message=message, fix_url=fix_url, **kw)


def warning(code: str, message: str, fix_url: str = "", **kw: Any) -> Finding:
    return Finding(code=code, severity="warning", message=message, fix_url=fix_url, **kw)


def finding_from(value: Finding | Mapping[str, Any], *, check: str) -> Finding:
    """A registered check's finding, given as a ``Finding`` or a dict, checked."""
    if isinstance(value, Finding):
        found = value
    elif isinstance(value, Mapping):
        severity = value.get("severity", "blocker")
        found = Finding(
            code=str(value.get("code") or check), severity=severity,
            message=str(value.get("message") or ""), fix_url=str(value.get("fix_url") or ""),
            track_id=value.get("track_id"), profile=value.get("profile"),
        )  # fmt: skip
    else:
        kind = type(value).__name__
        raise TypeError(f"Readiness check {check!r} returned {kind}, not a finding.")
    if found.severity not in SEVERITIES:
        raise ValueError(f"Readiness check {check!r}: severity is 'blocker' or 'warning'.")
    if not found.message:
        raise ValueError(f"Readiness check {check!r}: a finding says what to do.")
    return replace(found, check=found.check or check)
