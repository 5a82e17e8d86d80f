"""Imported by pytest before any test module: coursework first, so that it sets TensorFlow's options before any test
imports TensorFlow (coursework/__init__.py)."""

import coursework  # noqa: F401
