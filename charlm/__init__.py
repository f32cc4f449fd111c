"""charlm: character-level LSTM text generation and the effect of softmax temperature.

Data flows one way: corpus -> vocab -> data -> recipes/model -> train -> artifacts ->
sampler (with temperature math) -> UI. Only data/model/train import TensorFlow.
"""

__version__ = "0.1.0"
