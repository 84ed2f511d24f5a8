"""The secrets `canishare serve` needs, from the environment (or NAME_FILE files), checked at start-up."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .config_report import ConfigError


@dataclass(frozen=True)
class Secrets:
    bot_token: str
    signing_secret: str
    pseudonym_key: str
    app_token: str | None
    api_url: str | None


KEY_FILE = ".canishare-key"  # where scripts/run keeps the pseudonym key it generated


def load_secrets(env: dict[str, str] | None = None) -> Secrets:
    from .secret_files import SecretFileError, resolve

    try:
        env = resolve(os.environ if env is None else env)  # NAME_FILE=/path gives NAME (containers, Kubernetes)
    except SecretFileError as err:
        raise ConfigError(str(err)) from None
    missing = [k for k in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "CANISHARE_PSEUDONYM_KEY") if not env.get(k)]
    if missing == ["CANISHARE_PSEUDONYM_KEY"] and Path(KEY_FILE).exists():
        raise ConfigError(
            f"CANISHARE_PSEUDONYM_KEY is not set, but {Path(KEY_FILE).resolve()} holds the key scripts/run made: "
            f"run with CANISHARE_PSEUDONYM_KEY_FILE={KEY_FILE} (or scripts/canishare serve); do not make a new key, "
            f"it would change every pseudonym and old records could no longer be matched")
    if missing:
        hint = f" (or {missing[0]}_FILE=/path to a file holding it)"
        if "CANISHARE_PSEUDONYM_KEY" in missing:
            hint += "; the pseudonym key must stay the same for the life of the records (scripts/run makes one)"
        raise ConfigError(f"missing environment variable(s) needed to serve: {', '.join(missing)}{hint}")
    if len(env["CANISHARE_PSEUDONYM_KEY"]) < 16:
        raise ConfigError("CANISHARE_PSEUDONYM_KEY is too short: use at least 16 random characters (32+ recommended)")
    api_url = env.get("SLACK_API_URL") or None
    if api_url and not api_url.endswith("/"):
        api_url += "/"
    return Secrets(
        bot_token=env["SLACK_BOT_TOKEN"],
        signing_secret=env["SLACK_SIGNING_SECRET"],
        pseudonym_key=env["CANISHARE_PSEUDONYM_KEY"],
        app_token=env.get("SLACK_APP_TOKEN") or None,
        api_url=api_url,
    )
