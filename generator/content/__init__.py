"""The content library: the tool's structured texts in fi, sv and en, with a workspace's own content merged in."""

from .load import load_library
from .model import Conditions, IndustryGroup, Item, Label, Library, Source
from .parse import fingerprint, library_hashes

__all__ = ["Conditions", "IndustryGroup", "Item", "Label", "Library", "Source", "fingerprint", "library_hashes",
           "load_library"]
