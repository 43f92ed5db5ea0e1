"""The figures of the sibilance check: Liner's own heuristics (see the package's docstring)."""

SIBILANCE_HZ = (5_000.0, 10_000.0)
AIR_HZ = (10_000.0, 16_000.0)  # what cymbals have and sibilants lack
MIDS_HZ = (2_000.0, 4_000.0)  # what snares and claps have and sibilants lack
SPLIT_HZ = 7_070.0  # the band's halves for the colour test (half an octave each side)
VOICE_HZ = (80.0, 3_000.0)  # where a voice's harmonics stand above cymbals
PITCH_HZ = (80.0, 1_000.0)
SIBILANCE_FRAME_S = 0.023  # 1024 samples at 44.1/48 kHz
HOP = 7 / 8  # of a frame; the frames' tapers overlap, so every moment is seen at full weight
VOICE_WINDOW_S = 0.046  # two periods of an 80 Hz voice, for the pitch test
TONE_WINDOW_S = 0.046  # 2048 samples at 44.1 kHz: 21.5 Hz bins resolve a synth's partials

SIBILANCE_REFERENCE_PERCENTILE = 90.0  # of the band's frame levels, not counting sibilants
SIBILANCE_RISE_DB = 6.0  # above that reference
SIBILANCE_FLOOR_DBFS = -30.0  # mean square in the band; quieter bursts harm nothing
EXTENT_DB = 6.0  # a burst is the frames within this of its peak
MIN_S, MAX_S = 0.04, 0.4  # two frames at least
LONG_S = 2.0  # a longer event (a crash, a riser) is followed this far, then skipped
AIR_DB = -4.0
MIDS_DB = -3.0
FLATNESS = 0.3  # spectral flatness per 500 Hz of the band: noise about 0.55, synths below 0.2
DRIFT_DB = 6.0
CONTEXT_S = 0.3  # the level around a burst, and how far to look for the voice
PERIOD_S = (0.09, 1.5)  # 16ths at 160 BPM up to half notes (a backbeat) at 80
PERIOD_TOLERANCE_S, PERIOD_TOLERANCE = 0.025, 0.05  # of the period, whichever is larger
PERIOD_SIMILAR_DB = 3.0
VOICED = 0.3  # see _harmonicity: a vowel reads 0.8 alone, 0.3-0.7 in a mix; noise, drums under 0.25
VOICE_FLOOR_DBFS = -50.0
SCREEN_AIR_DB = 1.0  # the cheap first pass on a burst's peak frame alone; see _screen
FILL_DB = -40.0  # odd frames are measured only near an even one this loud; see _measure
STEP_S = 6.0  # audio gathered before each pass over the frames
SIBILANCE_LISTED = 20
_HISTOGRAM_DB = (-120.0, 20.0, 0.05)  # range and step of the level histograms
