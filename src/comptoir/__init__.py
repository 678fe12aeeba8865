"""Comptoir: the software of a cooperative, regional, ad-free commerce network."""

__version__ = "0.1.0"
