"""The PySide6 desktop application (see app.py)."""
