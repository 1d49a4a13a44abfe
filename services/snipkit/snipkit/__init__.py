"""snipkit: what every snip service shares (config, logs, request ids, metrics, health,
errors, PostgreSQL, Redis, service-to-service HTTP, migrations, gunicorn settings)."""

from .app import create_app
from .config import ConfigError, Setting
from .errors import ApiError, DependencyUnavailable, ValidationError

__all__ = ["ApiError", "ConfigError", "DependencyUnavailable", "Setting", "ValidationError", "create_app"]
