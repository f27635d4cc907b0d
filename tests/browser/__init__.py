"""Browser tests: the course in JupyterLab, driven by Debian's Chromium (see conftest.py)."""
