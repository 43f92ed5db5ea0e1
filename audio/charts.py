"""What the audio pages show, shaped from stored reports: the loudness plot (plotly), verdict
summaries, and the before/after of a master."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from audio.dsp.profiles import get_profile
from audio.dsp.verdicts import verdict, verdicts

from .models import Job

# The rows of a before/after table: key, label, unit.
COMPARE_ROWS = (
    ("integrated_lufs", "Integrated loudness", "LUFS", 1),
    ("true_peak_dbtp", "True peak", "dBTP", 1),
    ("sample_peak_dbfs", "Sample peak", "dBFS", 1),
    ("loudness_range_lu", "Loudness range", "LU", 1),
    ("plr_db", "Peak-to-loudness ratio", "dB", 1),
    ("short_term_max_lufs", "Max short-term", "LUFS", 1),
    ("clipped_samples", "Clipped samples", "", 0),
)
PLOT_TARGETS = ("spotify", "apple-music", "broadcast-ebu")


def verdict_summary(analysis: dict[str, Any] | None) -> dict[str, Any] | None:
    if not analysis:
        return None
    counts = {"pass": 0, "warn": 0, "fail": 0}
    for v in verdicts(analysis):
        counts[v["status"]] += 1
    worst = "fail" if counts["fail"] else "warn" if counts["warn"] else "pass"
    return {**counts, "worst": worst}


def loudness_figure(analysis: dict[str, Any] | None) -> str | None:
    """Short-term loudness over time, with a few platforms' targets: plotly figure JSON."""
    curve = (analysis or {}).get("short_term_curve") or []
    if not curve:
        return None
    times = [point[0] for point in curve]
    values = [point[1] for point in curve]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=times, y=values, mode="lines", name="Short-term (3 s)",
                             line={"color": "#5b3cc4", "width": 2},
                             hovertemplate="%{x:.0f} s: %{y:.1f} LUFS<extra></extra>"))  # fmt: skip
    integrated = analysis.get("integrated_lufs")
    if integrated is not None:
        fig.add_hline(
            y=integrated,
            line={"color": "#1d1b22", "dash": "dot"},
            annotation_text=f"integrated {integrated:.1f}",
            annotation_position="top left",
        )
    for slug in PLOT_TARGETS:
        profile = get_profile(slug)
        fig.add_hline(y=profile.target_lufs, line={"color": "#b9b3c4", "dash": "dash", "width": 1},
                      annotation_text=f"{profile.name} {profile.target_lufs:g}",
                      annotation_position="bottom right")  # fmt: skip
    fig.update_layout(
        template="none",  # plotly's default theme adds ~8 KB to every figure
        height=260, margin={"l": 50, "r": 20, "t": 10, "b": 40}, showlegend=False,
        xaxis={"title": "time (s)"}, yaxis={"title": "LUFS"},
        paper_bgcolor="#fff", plot_bgcolor="#faf9fc",
    )  # fmt: skip
    return fig.to_json()


def master_view(job: Job, before: dict[str, Any] | None) -> dict[str, Any]:
    """A master job with what its page section needs: before/after rows, the verdicts for
    its profile, and the gain that plays the two at the same loudness."""
    slug = job.params.get("profile")
    view: dict[str, Any] = {"job": job, "rows": [], "matched_gain_db": None,
                            "profile_name": get_profile(slug).name if slug else ""}  # fmt: skip
    result = job.result or {}
    after = result.get("after")
    before = result.get("before") or before
    if not after or not before:
        return view
    for key, label, unit, digits in COMPARE_ROWS:
        view["rows"].append({"label": label, "unit": unit, "digits": digits,
                             "before": before.get(key), "after": after.get(key)})  # fmt: skip
    slug = job.params.get("profile")
    if slug:
        view["verdict_before"] = verdict(slug, before)
        view["verdict_after"] = verdict(slug, after)
    b, a = before.get("integrated_lufs"), after.get("integrated_lufs")
    if b is not None and a is not None:
        # Positive: the master is louder and is turned down by this much for the comparison.
        gain = round(a - b, 1)
        view["matched_gain_db"] = gain
        view["matched_note"] = (
            f"the master turned down {gain:.1f} dB" if gain >= 0
            else f"the original turned down {-gain:.1f} dB"
        )  # fmt: skip
    view["chain"] = result.get("chain") or {}
    view["after_peaks"] = result.get("after_peaks")
    return view
