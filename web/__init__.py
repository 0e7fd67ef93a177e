"""The newsdex web front end and JSON API: ``create_app(data_dir)``.

Where things live: :mod:`web.app` (the app factory, the index it holds, error pages),
:mod:`web.views` (the blueprints: pages, JSON API, feeds), :mod:`web.params` (URL
parameters <-> search requests), :mod:`web.filters` (how values read on a page),
:mod:`web.serve` (``manage.py serve``), ``templates/`` and ``static/``.
"""

from web.app import IndexHolder, create_app

__all__ = ["IndexHolder", "create_app"]
