"""Secrets given as files: `NAME_FILE=/run/secrets/name` instead of `NAME=value`.

Docker and Kubernetes mount secrets as files so that they stay out of the process
environment and `docker inspect`. A secret given both ways, or a file that cannot be read or
is empty, is refused at start-up with a message naming the variable and the file (never the
value).
"""
from __future__ import annotations

import os
from pathlib import Path

# Every variable that may hold a secret (DATABASE_URL may carry a password).
SECRET_NAMES = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "CANISHARE_PSEUDONYM_KEY",
                "SLACK_CLIENT_SECRET", "CANISHARE_TOKEN_KEY", "DATABASE_URL")


class SecretFileError(ValueError):
    pass


def resolve(env: dict[str, str] | None = None) -> dict[str, str]:
    """A copy of `env` (default: os.environ) with each NAME_FILE read into NAME."""
    env = dict(os.environ if env is None else env)
    for name in SECRET_NAMES:
        path = env.get(f"{name}_FILE")
        if not path:
            continue
        if env.get(name):
            raise SecretFileError(f"{name} is given twice, as {name} and as {name}_FILE: keep one")
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError as err:
            raise SecretFileError(f"{name}_FILE={path} cannot be read ({err.strerror or type(err).__name__}): "
                                  f"check the path and that the canishare user may read it") from None
        except UnicodeDecodeError:
            raise SecretFileError(f"{name}_FILE={path} is not a text file") from None
        if not value:
            raise SecretFileError(f"{name}_FILE={path} is empty")
        env[name] = value
    return env


def apply_to_environ() -> None:
    """Resolve the files once at start-up, into os.environ, so every later reader (and every
    gunicorn worker) sees NAME; NAME_FILE is then dropped, so resolving again is a no-op."""
    resolved = resolve()
    for name in SECRET_NAMES:
        if os.environ.pop(f"{name}_FILE", None) is not None:
            os.environ[name] = resolved[name]
