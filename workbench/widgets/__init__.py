"""Jupyter widgets of the workbench: thin ipywidgets over pure functions.

:mod:`workbench.widgets.coding` holds the coding widget (:class:`CodingWidget`); the pure parts
are in :mod:`~workbench.widgets.queue` (order and filters), :mod:`~workbench.widgets.context`
(a segment in its context) and :mod:`~workbench.widgets.view` (escaped HTML).
"""
