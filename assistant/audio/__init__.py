"""Audio at the edges: microphone, recogniser, speech model files, voice and scheduled output.

Knows nothing of exercises, questions or the programme (tests/test_layers.py checks the imports).
"""
