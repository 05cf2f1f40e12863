"""lace-tui: a keyboard-driven terminal app for people who work with many LLM providers."""

__version__ = "0.1.0"
