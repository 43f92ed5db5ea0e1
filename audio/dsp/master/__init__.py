"""Mastering: a mix in, a master at a target loudness and true-peak ceiling out.

Pure Python and numpy/scipy (no Django). `master` is the entry point; the stages live in
`eq`, `dynamics` and `meter`, file writing in `pcm` (shared with `audio.dsp.render`).
"""

from .chain import PRESETS, master

__all__ = ["PRESETS", "master"]
