"""papershelf's ground floor: papers, identities, the lossless list model, writing, git sync."""

__version__ = "0.1.0"
