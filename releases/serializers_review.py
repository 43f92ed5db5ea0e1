"""API shapes of mix review: versions, comment threads, approvers, sign-offs, review state and
the master lock. Output serializers never query: ``releases.api_review`` reads with everything
they show selected or prefetched (or hands them the services' own ``ReviewState``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audio.serializers import JobSerializer

from . import registry
from .codes import isrc_format
from .models import Approver, Comment, CreditRole, MasterLock, MixVersion, SignOff
from .services.review import clock
from .services.review.common import BODY_MAX, NOTE_MAX

# --- Shared pieces ----------------------------------------------------------------------------


class ReviewUserSerializer(serializers.Serializer):
    """Who did something: the login's id and the name Liner shows (their email without one)."""

    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="__str__")


def _user() -> ReviewUserSerializer:
    # A new field each time: a field instance shared by two names would be bound to one.
    return ReviewUserSerializer(read_only=True, allow_null=True)


class MixVersionBriefSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, help_text="v1, v2 …")
    sha256 = serializers.CharField(source="audio_file.sha256", read_only=True)

    class Meta:
        model = MixVersion
        fields = ["id", "number", "label", "sha256"]
        read_only_fields = fields


# --- Versions ---------------------------------------------------------------------------------


class MixVersionOutputSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, help_text="v1, v2 …")
    audio_file = serializers.IntegerField(source="audio_file_id", read_only=True)
    sha256 = serializers.CharField(source="audio_file.sha256", read_only=True)
    duration_s = serializers.FloatField(source="audio_file.duration_s", read_only=True)
    integrated_lufs = serializers.FloatField(
        source="lufs", read_only=True, allow_null=True,
        help_text="Integrated loudness (LUFS) from the analysis; null until it is done.",
    )  # fmt: skip
    true_peak_dbtp = serializers.FloatField(
        source="true_peak", read_only=True, allow_null=True,
        help_text="True peak (dBTP, 4× oversampled) from the analysis; null until it is done.",
    )  # fmt: skip
    uploaded_by = _user()
    analysis = serializers.SerializerMethodField(
        help_text="The newest analysis of the audio (status, progress 0-100, stage); it runs in "
        "the background after the upload."
    )

    class Meta:
        model = MixVersion
        fields = [
            "id", "number", "label", "audio_file", "sha256", "duration_s", "integrated_lufs",
            "true_peak_dbtp", "uploaded_by", "note", "created_at", "analysis",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(JobSerializer(allow_null=True))
    def get_analysis(self, obj: MixVersion) -> dict[str, Any] | None:
        jobs = obj.audio_file.analysis_jobs  # prefetched, newest first
        return JobSerializer(jobs[0], context=self.context).data if jobs else None


class MixVersionUploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True, use_url=False,
        help_text="The mix: WAV, AIFF, FLAC, MP3 or OGG, up to the server's upload limit "
        "(LINER_AUDIO_MAX_UPLOAD_BYTES). Its content decides, not its name; the same bytes as an "
        "earlier version of this track are refused.",
    )  # fmt: skip
    note = serializers.CharField(
        max_length=NOTE_MAX, required=False, allow_blank=True, default="",
        help_text="What changed in this mix.",
    )  # fmt: skip


# --- Comments ---------------------------------------------------------------------------------


class CommentReplySerializer(serializers.ModelSerializer):
    author = _user()

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = fields


class CommentThreadSerializer(serializers.ModelSerializer):
    """A thread: its first comment, at a moment of one version, and the replies in order."""

    version = serializers.IntegerField(source="version_id", read_only=True)
    version_label = serializers.CharField(source="version.label", read_only=True)
    at = serializers.SerializerMethodField(help_text="``at_s`` as the player shows it: 1:23.")
    author = _user()
    resolved = serializers.SerializerMethodField()
    resolved_by = _user()
    replies = CommentReplySerializer(many=True, read_only=True)

    class Meta:
        model = Comment
        fields = [
            "id", "version", "version_label", "at_s", "at", "author", "body", "created_at",
            "resolved", "resolved_at", "resolved_by", "replies",
        ]  # fmt: skip
        read_only_fields = fields

    def get_at(self, obj: Comment) -> str:
        return clock(obj.at_s or 0)

    def get_resolved(self, obj: Comment) -> bool:
        return obj.resolved_at is not None


class CommentInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="A version of this track (its id).")
    at_s = serializers.FloatField(
        min_value=0, help_text="Where in that version, in seconds; within its duration."
    )
    body = serializers.CharField(max_length=BODY_MAX)


class CommentReplyInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=BODY_MAX)


# --- Approvers --------------------------------------------------------------------------------


class ApproverOutputSerializer(serializers.ModelSerializer):
    user = ReviewUserSerializer(read_only=True)
    track = serializers.IntegerField(
        source="track_id", read_only=True, allow_null=True,
        help_text="The one track they sign off; null: every track of the release.",
    )  # fmt: skip
    added_by = _user()

    class Meta:
        model = Approver
        fields = ["id", "user", "track", "added_by", "created_at"]
        read_only_fields = fields


class ApproverInputSerializer(serializers.Serializer):
    user = serializers.IntegerField(
        help_text="The login of a member of the workspace or of a guest on this release."
    )
    track = serializers.IntegerField(
        required=False, allow_null=True, default=None,
        help_text="Only this track of the release; leave out (or null) for every track.",
    )  # fmt: skip


# --- Sign-off and the review state ------------------------------------------------------------


class SignOffOutputSerializer(serializers.ModelSerializer):
    user = ReviewUserSerializer(read_only=True)
    version = serializers.IntegerField(source="version_id", read_only=True)
    version_label = serializers.CharField(source="version.label", read_only=True)
    sha256 = serializers.CharField(read_only=True, help_text="The exact audio decided on.")
    current = serializers.BooleanField(
        read_only=True, help_text="False once superseded (a new version, a newer decision …)."
    )

    class Meta:
        model = SignOff
        fields = [
            "id", "user", "version", "version_label", "decision", "note", "sha256", "created_at",
            "current", "superseded_at", "superseded_reason",
        ]  # fmt: skip
        read_only_fields = fields


class SignOffInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        help_text="The track's latest version (its id): decisions are on that one only."
    )
    decision = serializers.ChoiceField(choices=SignOff.Decision.choices)
    note = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="",
        help_text="Required with `changes`: what should change.",
    )  # fmt: skip


class ReviewDecisionSerializer(serializers.Serializer):
    """An approver's current decision (it may be on an earlier version than the latest)."""

    id = serializers.IntegerField(source="pk")
    version = serializers.IntegerField(source="version_id")
    version_label = serializers.CharField(source="version.label")
    decision = serializers.ChoiceField(choices=SignOff.Decision.choices)
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class ApproverStateSerializer(serializers.Serializer):
    user = ReviewUserSerializer()
    release_wide = serializers.BooleanField(help_text="Signs off every track of the release.")
    approved = serializers.BooleanField(help_text="Approved the latest version, these bytes.")
    changes_requested = serializers.BooleanField(help_text="Asked for changes on the latest.")
    decision = ReviewDecisionSerializer(source="signoff", allow_null=True)


class TrackReviewStateSerializer(serializers.Serializer):
    track = serializers.IntegerField(source="track.pk")
    latest_version = MixVersionBriefSerializer(source="latest", allow_null=True)
    approvers = ApproverStateSerializer(many=True)
    pending = ReviewUserSerializer(
        many=True, source="pending_users", help_text="Approvers who have not approved the latest."
    )
    fully_approved = serializers.BooleanField(
        help_text="Every approver (at least one) approved the latest version."
    )
    locked = serializers.BooleanField(help_text="A version is locked as the master.")


# --- The master lock --------------------------------------------------------------------------


class LockCreditSerializer(serializers.Serializer):
    on = serializers.ChoiceField(choices=["release", "track"])
    person_id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()
    role_label = serializers.CharField()
    instrument = serializers.CharField()


class LockPartSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()


class LockCoversSerializer(serializers.Serializer):
    """What the lock covers, as it stood when it was taken."""

    version = serializers.IntegerField(allow_null=True, help_text="The version number.")
    sha256 = serializers.CharField()
    isrc = serializers.CharField()
    credits = LockCreditSerializer(many=True)
    parts = LockPartSerializer(many=True, help_text="What other parts of Liner registered.")


class MasterLockOutputSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version_id", read_only=True)
    version_label = serializers.CharField(source="version.label", read_only=True)
    covers = serializers.SerializerMethodField()
    locked_by = _user()
    active = serializers.BooleanField(read_only=True)

    class Meta:
        model = MasterLock
        fields = [
            "id", "version", "version_label", "sha256", "fingerprint", "covers", "locked_by",
            "locked_at", "active", "ended_at", "ended_reason",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(LockCoversSerializer)
    def get_covers(self, obj: MasterLock) -> dict[str, Any]:
        covered = obj.covered or {}
        audio = covered.get("audio") or {}
        labels = {p.name: p.label for p in registry.lock_parts()}
        credits = [
            {
                "on": row.get("on", ""), "person_id": row.get("person_id"),
                "name": row.get("name", ""), "role": row.get("role", ""),
                "role_label": _role_label(row.get("role", "")),
                "instrument": row.get("instrument", ""),
            }
            for row in covered.get("credits") or []
        ]  # fmt: skip
        return {
            "version": audio.get("version"),
            "sha256": audio.get("sha256", obj.sha256),
            "isrc": isrc_format(covered.get("isrc") or ""),
            "credits": credits,
            "parts": [
                {"name": name, "label": labels.get(name, name.replace("_", " "))}
                for name in sorted(covered.get("parts") or {})
            ],
        }


def _role_label(role: str) -> str:
    return CreditRole(role).label if role in CreditRole.values else role


class MasterLockStateSerializer(serializers.Serializer):
    locked = serializers.BooleanField(help_text="A version is locked as the master now.")
    lock = MasterLockOutputSerializer(
        allow_null=True,
        help_text="The newest lock, open or ended (with when and why it ended); null if the "
        "track was never locked.",
    )


class MasterLockInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        help_text="The track's latest version (its id), approved by every approver."
    )


class MasterUnlockInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text="Why the master is unlocked.")
