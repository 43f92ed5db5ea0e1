"""Times as the reports show them."""

import pytest

from audio.dsp.timecode import clock


@pytest.mark.parametrize(
    "seconds, shown",
    [
        (0.0, "0:00.0"),
        (0.04, "0:00.0"),
        (12.34, "0:12.3"),
        (59.96, "1:00.0"),  # rounded first: never 0:60.0
        (64.0, "1:04.0"),
        (599.99, "10:00.0"),
        (3599.96, "1:00:00.0"),
        (3725.0, "1:02:05.0"),
        (-1.0, "0:00.0"),
    ],
)
def test_clock(seconds, shown):
    assert clock(seconds) == shown


def test_every_time_of_a_long_file_can_carry_hours():
    assert clock(12.5, hours=True) == "0:00:12.5"
    assert clock(3725.0, hours=False) == "62:05.0"
