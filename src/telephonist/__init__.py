"""Telephonist: a self-hosted cloud business phone system."""

__version__ = "0.1.0"
