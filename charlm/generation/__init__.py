"""Generation: the trained network in NumPy, model folders, temperature math and the sampler.

May import charlm.common and charlm.text. Never imports TensorFlow at module level.
"""
