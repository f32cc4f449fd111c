"""Foundations every flow shares: settings read once, atomic file writes, process memory.

Imports nothing from charlm.
"""
