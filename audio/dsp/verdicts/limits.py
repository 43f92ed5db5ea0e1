"""The thresholds the verdicts judge an analysis by."""

DC_OFFSET_WARN = 0.001  # 0.1 % of full scale
NOISE_FLOOR_WARN_DBFS = -50.0
NOISE_BELOW_PROGRAMME_DB = 20.0  # a floor closer to the loudness than this is the music itself
NOISE_FLOOR_INFO_DBFS = -60.0
MONO_LOSS_WARN_DB = 3.0
PLAYS_QUIETER_WARN_DB = 1.0  # shortfall against the platform's level worth a warning
LIMITING_NOTE_DB = 3.0  # turned down by at least this much: the limiting bought nothing
FULL_BAND_RATE = 44_100  # below this a file lacks part of the audible band
LISTED_LIMIT = 100  # the analysis lists at most this many clip runs and clicks
