"""Saved session configurations: parsed and checked before anything runs.

:func:`load_config` turns the JSON the Report page downloads into a typed
:class:`SessionConfig`, or raises :class:`fairdash.InputError` naming the field,
with every limit equal to what the app lets a user choose.
"""

from fairdash.config._json import MAX_CONFIG_BYTES, MAX_DEPTH
from fairdash.config._schema import (
    CONFIG_VERSION,
    MAX_MIN_COUNT,
    DataSource,
    MergeRare,
    ProblemSpec,
    RunSettings,
    SessionConfig,
    load_config,
)

__all__ = [
    "CONFIG_VERSION",
    "MAX_CONFIG_BYTES",
    "MAX_DEPTH",
    "MAX_MIN_COUNT",
    "DataSource",
    "MergeRare",
    "ProblemSpec",
    "RunSettings",
    "SessionConfig",
    "load_config",
]
