"""Same set-up as the unit tests: compilation cache, W&B offline, the ``key`` fixture."""

from tests.conftest import key, pytest_collection_modifyitems  # noqa: F401
