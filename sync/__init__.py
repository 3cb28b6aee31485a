"""papershelf's ground floor: papers, identities, the lossless list model, writing, git sync."""
