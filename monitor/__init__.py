"""portal-monitor: watches China's government web portals between official spot checks."""

__version__ = "0.1.0"
