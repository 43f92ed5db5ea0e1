"""Sibilance, streamed: loud 's' and 'sh' sounds in the 5-10 kHz band of the mono sum.

Sibilants put short bursts of noise where de-essers work, about 5-10 kHz. They are harsh on any
system and distort on vinyl, where high frequencies at high level are what a cutter head and a
stylus handle worst. But hi-hats, cymbals, shakers, snares, bright synths and noise effects put
loud bursts there too, and a report that calls a hi-hat sibilance loses the engineer's trust. So
a burst counts only when it has the physical signature of a sibilant. Each test and figure is a
heuristic of Liner's own, a judgement call checked against synthetic mixes (instrumentals with
and without a synthetic voice, in tests/audio/dsp/test_sibilance.py), not taken from a standard
or tuned on a corpus of real recordings:

- loud: its peak is at least 6 dB above the band's 90th percentile over the rest of the file
  and above -30 dBFS (mean square in the band of a 23 ms frame);
- a burst as long as a sibilant: the frames within 6 dB of its peak, and no louder than it,
  last 40-400 ms (closed hats are shorter; crashes, rides and risers ring for longer);
- concentrated in the band: what it adds to the level around it is at least 4 dB less in
  10-16 kHz than in 5-10 kHz (a sibilant's energy falls away above 10 kHz, a cymbal's does
  not), and at least 3 dB less in 2-4 kHz (where a snare or a clap has most of its noise; an
  'sh' whose weight sits that low is not counted either);
- steady in colour: the balance of 5-7 against 7-10 kHz does not move by more than 6 dB from
  the first half of the burst to the second (a noise sweep moves through the band);
- noise, not tone: the band's spectral flatness at the burst's centre, in 21.5 Hz bins, is at
  least 0.3 (noise reads about 0.55; a bright synth's resolved partials under 0.2);
- off the grid: no bursts of similar level (within 3 dB) at three of ±1 and ±2 times some
  spacing of 0.09-1.5 s, or at 1, 2 and 3 times it on one side, as the hits of a shaker, hi-hat
  or snare pattern have;
- in a voice: harmonic, pitched sound (80 Hz-3 kHz, pitch 80-1000 Hz, many harmonics, see
  `_harmonicity`) within 300 ms of it, as an 's' sits next to vowels.

Times are the burst's energy-weighted centre, so the user can listen there.

The band levels come from 1024-sample frames (23 ms at 44.1/48 kHz, a hop of 20 ms, so every
moment is seen); every other frame is always measured, the rest only near loud ones (see
`SibilanceDetector._measure`). The costlier tests look only at the few bursts that pass the
cheap ones. Judgement runs a few seconds behind the stream, which keeps those seconds of levels
and audio, and fixed histograms for the end: memory stays flat whatever the length of the file.
"""

from .detector import SibilanceDetector

__all__ = ["SibilanceDetector"]
