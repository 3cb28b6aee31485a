"""papershelf: keep hand-curated markdown paper lists current.

Three floors, installed under this one name from the repository's folders of the same names:
`papershelf.sync` (sync/: papers, the lossless list model, writing, git sync), `papershelf.feeds`
(feeds/: polling, the candidate store, ranking) and `papershelf.server` (server/: the Flask app,
the review page, the `papershelf` CLI). docs/architecture.md draws the layout.
"""

__version__ = "0.1.0"
