"""The model side: Phi-family models through ONNX Runtime GenAI, synthetic models, the generation queue."""
