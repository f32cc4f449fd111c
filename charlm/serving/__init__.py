"""Serving: shared runs (jobs, the queue, ownership, quotas) and a class on several processes.

May import every library package below it; never Streamlit (that is charlm.ui's alone).
"""
