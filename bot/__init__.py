"""kisanbot: an offline, multilingual farmer-advisory chatbot."""

__version__ = "0.1.0"
