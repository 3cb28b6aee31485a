"""papershelf's outside world: feeds, the arXiv API, the candidate store, ranking, scheduling."""
