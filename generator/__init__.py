"""Mental-health support toolkits for Finnish occupational health care, built from workplace profiles."""

__version__ = "0.1.0"
