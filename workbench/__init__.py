"""Journey Workbench: evidence-backed customer journey maps from interviews and surveys."""

__version__ = "0.1.0"
