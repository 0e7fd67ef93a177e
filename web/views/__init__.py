"""The app's blueprints: :mod:`~web.views.pages` (HTML), :mod:`~web.views.api` (JSON) and
:mod:`~web.views.feeds` (Atom, CSV, OpenSearch)."""
