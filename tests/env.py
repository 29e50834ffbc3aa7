"""Environment defaults for the test run, loaded as a pytest plugin (`-p tests.env`) before
pytest-django reads the settings."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("SITE_URL", "http://testserver")
# Tests that need a real worker point it at a broker of their own.
os.environ.setdefault("SLAOPS_RUN_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), ".run", "test"))
