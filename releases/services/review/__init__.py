"""Mix review: versions of a track's mix, timestamped comments, approvers, sign-off, the lock.

- A new version is numbered v1, v2 … under a lock on the track row, so two uploads at once
  never share a number or leave a gap. It resets the track's sign-offs (they are superseded,
  with the reason, never deleted) and ends its master lock.
- A sign-off names the exact bytes decided on (the audio's SHA-256) and only ever applies to
  the track's latest version; each approver has one current sign-off per track.
- A lock takes a snapshot of what it covers (``master_snapshot``); a recheck after a change
  compares the snapshot taken now and ends the lock, saying what changed.

Who may do what: members by their role (``collaborators.permissions``), guests on the release
with ``GUEST_ACTIONS``. Uploading a version needs ``content.edit``, except that a guest may
upload to a track they sign off, or one they are credited on as its engineer, producer or
remixer (the mixing engineer is often a guest): see ``version_upload_allowed``. Approving needs
an approver entry, locking ``content.edit``.

Everyone is told after the commit (``releases.services.notifications``).
"""

from .comments import comment_add, comment_reopen, comment_reply, comment_resolve
from .common import MAKER_ROLES, clock, latest_version, standing, version_upload_allowed
from .lock import (
    master_lock,
    master_lock_recheck,
    master_locks_recheck_release,
    master_snapshot,
    master_unlock,
    snapshot_changes,
    snapshot_fingerprint,
)
from .signoff import (
    ApproverState,
    ReviewState,
    approver_add,
    approver_remove,
    signoff_record,
    track_review_state,
)
from .versions import mix_version_add

__all__ = [
    "MAKER_ROLES",
    "ApproverState",
    "ReviewState",
    "approver_add",
    "approver_remove",
    "clock",
    "comment_add",
    "comment_reopen",
    "comment_reply",
    "comment_resolve",
    "latest_version",
    "master_lock",
    "master_lock_recheck",
    "master_locks_recheck_release",
    "master_snapshot",
    "master_unlock",
    "mix_version_add",
    "signoff_record",
    "snapshot_changes",
    "snapshot_fingerprint",
    "standing",
    "track_review_state",
    "version_upload_allowed",
]
