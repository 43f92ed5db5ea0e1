"""The one exception the DSP code raises for unusable input; its message is shown to users."""


class AudioError(ValueError):
    """The input is not usable audio (or not usable for this operation); says why in words."""
