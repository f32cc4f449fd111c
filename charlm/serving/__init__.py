"""Serving shared runs: background jobs, the queue, run ownership and quotas.

May import every library package below it; never Streamlit (that is charlm.ui's alone).
"""
