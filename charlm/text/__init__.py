"""Text: finding and reading corpora, the character vocabulary, and text features.

May import charlm.common only.
"""
