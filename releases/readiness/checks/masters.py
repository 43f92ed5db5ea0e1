"""Masters signed off and locked: every track has a locked master that every one of its
approvers approved (the exact bytes), and the release has tracks at all."""

from __future__ import annotations

from collections.abc import Iterator

from ..context import ReleaseContext
from ..findings import Finding, blocker


def check_masters(ctx: ReleaseContext) -> Iterator[Finding]:
    if not ctx.tracks:
        yield blocker(
            "no_tracks", "Add the release's tracks: it has none yet.",
            ctx.release_url("track-create"),
        )  # fmt: skip
        return
    for track in ctx.tracks:
        url = ctx.track_url(track)
        versions = list(track.versions.all())
        if not versions:
            yield blocker(
                "no_mix", f"Upload a mix of “{track}”, get it signed off and lock it as the "
                "master.", url, track_id=track.pk,
            )  # fmt: skip
            continue
        approvers = ctx.approvers_of(track)
        if not approvers:
            yield blocker(
                "no_approvers", f"Choose who signs off “{track}” (the release's approvers "
                "sign off every track), then get their approval and lock the master.",
                ctx.release_url(anchor="people"), track_id=track.pk,
            )  # fmt: skip
            continue
        master = ctx.master(track)
        if master is None:
            latest = versions[-1]
            yield blocker(
                "not_locked", f"Get every approver's sign-off on {latest.label} of “{track}” "
                "and lock it as the master.", url, track_id=track.pk,
            )  # fmt: skip
            continue
        approved = {
            s.user_id
            for s in ctx.signoffs.get(track.pk, [])
            if s.decision == "approved" and s.version_id == master.pk
            and s.sha256 == master.audio_file.sha256
        }  # fmt: skip
        missing = len(approvers - approved)
        if missing:
            who = "an approver" if missing == 1 else f"{missing} approvers"
            yield blocker(
                "not_signed_off", f"The locked master of “{track}” ({master.label}) lacks the "
                f"sign-off of {who} added since: ask them to approve it.", url, track_id=track.pk,
            )  # fmt: skip
