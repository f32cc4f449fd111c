"""Training: recipes, datasets, Keras models, the training run, its run files and export.

May import charlm.common, charlm.text, charlm.generation and charlm.analysis.
"""
