"""Looking inside a trained network: scoring, temperature sweeps, neurons and influence.

May import charlm.common, charlm.text and charlm.generation.
"""
