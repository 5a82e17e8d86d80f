"""Evaluation of trained models: pure functions of loaded models and data; nothing here trains."""
