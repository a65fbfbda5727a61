"""Language-model support: loading and generating with ONNX Runtime GenAI, and synthetic test models."""
