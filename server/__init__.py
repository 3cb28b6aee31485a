"""papershelf's shells: the Flask app, the JSON API, the review page and the `papershelf` CLI."""
