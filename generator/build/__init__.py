"""Building toolkits: which are out of date, rendering them (in worker processes), writing each one whole."""

from .batch import Summary, build_all
from .context import BuildContext, Options
from .keys import MANIFEST
from .lock import OutputBusy
from .toolkit import Result

__all__ = ["MANIFEST", "BuildContext", "Options", "OutputBusy", "Result", "Summary", "build_all"]
