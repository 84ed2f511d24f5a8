"""Slack installations of a deployment that many workspaces install: stored by slack_sdk's
SQLAlchemy installation store in the control database, with every token encrypted at rest.

A bot token is the key to a whole workspace, so the table never holds one in plain text: each
token (bot, user, refresh, and the incoming-webhook URL, itself a credential) is a Fernet token
(AES-128-CBC with HMAC-SHA256, from `cryptography`) under CANISHARE_TOKEN_KEY. The variable may
hold several keys, comma-separated, newest first: new tokens are written with the first, and
any of them reads (MultiFernet). `canishare tokens rotate` rewrites every stored token with the
newest key, after which the older keys can be dropped (docs/operations.md, "Token key rotation").

The tables are slack_sdk's own (slack_installations, slack_bots), with the token columns widened
to TEXT: a Fernet token is about 2.5 times as long as what it holds, more than the library's
VARCHAR(200), which PostgreSQL enforces.
"""
from __future__ import annotations

import copy
import logging
from typing import Any, Optional

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import MetaData, Table, Text, and_, delete, desc, inspect, or_, select, text, true, update
from sqlalchemy.engine import Engine

log = logging.getLogger("canishare.installations")

TOKEN_KEY = "CANISHARE_TOKEN_KEY"
# What a stored installation holds that would let someone act as the app in a workspace.
INSTALLATION_SECRETS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token", "incoming_webhook_url")
BOT_SECRETS = ("bot_token", "bot_refresh_token")
CONTROL_TABLES_LOCK = 724312  # PostgreSQL advisory lock: workers starting at once create the tables once


class TokenKeyError(ValueError):
    """CANISHARE_TOKEN_KEY is missing or is not a list of Fernet keys (the message never holds a key)."""


class UndecryptableToken(ValueError):
    """A stored token that no key of CANISHARE_TOKEN_KEY opens (a key dropped before a rotation)."""


def new_key() -> str:
    """A fresh Fernet key (32 random bytes, url-safe base64) for CANISHARE_TOKEN_KEY."""
    return Fernet.generate_key().decode("ascii")


class TokenCipher:
    """Fernet keys from CANISHARE_TOKEN_KEY, newest first, comma-separated: the newest writes,
    every one reads, so a key can be replaced without a moment when stored tokens are unreadable."""

    def __init__(self, keys: str | None):
        parts = [part.strip() for part in (keys or "").split(",")]
        if not any(parts):
            raise TokenKeyError(f"{TOKEN_KEY} is not set: many workspaces (SLACK_CLIENT_ID) keep their bot tokens "
                                f"encrypted with it; make one with `canishare tokens new-key` "
                                f"(or give {TOKEN_KEY}_FILE=/path to a file holding it)")
        if not all(parts):
            raise TokenKeyError(f"{TOKEN_KEY} has an empty entry: give the keys comma-separated, newest first")
        fernets = []
        for number, key in enumerate(parts, 1):
            try:
                fernets.append(Fernet(key))
            except (ValueError, TypeError):  # binascii.Error is a ValueError; the key itself is never shown
                which = "" if len(parts) == 1 else f" (key {number} of {len(parts)})"
                raise TokenKeyError(f"{TOKEN_KEY}{which} is not a Fernet key: it must be 32 random bytes in url-safe "
                                    f"base64 (44 characters); make one with `canishare tokens new-key`") from None
        if len(set(parts)) != len(parts):
            raise TokenKeyError(f"{TOKEN_KEY} names the same key twice: keep each key once, newest first")
        self.key_count = len(fernets)
        self._newest = fernets[0]
        self._all = MultiFernet(fernets)

    def encrypt(self, token: str) -> str:
        return self._all.encrypt(token.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._all.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise UndecryptableToken(f"a stored token cannot be decrypted with any key in {TOKEN_KEY}; was an old "
                                     f"key removed before `canishare tokens rotate` ran? Put it back, after the "
                                     f"newest, and rotate") from None

    def rotate(self, token: str) -> str:
        """The same secret, encrypted again with the newest key."""
        try:
            return self._all.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError):
            raise UndecryptableToken(f"a stored token cannot be decrypted with any key in {TOKEN_KEY}; put back the "
                                     f"key it was written with (after the newest) and rotate again") from None

    def is_newest(self, token: str) -> bool:
        try:
            self._newest.decrypt(token.encode("ascii"))
            return True
        except (InvalidToken, UnicodeError):
            return False


class _Tables(SQLAlchemyInstallationStore):
    """slack_sdk's tables and queries, with room in the token columns for what encryption makes."""

    @classmethod
    def build_installations_table(cls, metadata: MetaData, table_name: str) -> Table:
        return _widened(super().build_installations_table(metadata, table_name), INSTALLATION_SECRETS)

    @classmethod
    def build_bots_table(cls, metadata: MetaData, table_name: str) -> Table:
        return _widened(super().build_bots_table(metadata, table_name), BOT_SECRETS)


def _widened(table: Table, columns: tuple[str, ...]) -> Table:
    for name in columns:
        table.c[name].type = Text()
    return table


def _sealed(item: Any, names: tuple[str, ...], seal) -> Any:
    """A copy of an Installation or Bot with each of `names` passed through `seal` (None stays None)."""
    out = copy.copy(item)
    for name in names:
        value = getattr(out, name, None)
        if value:
            setattr(out, name, seal(value))
    return out


class EncryptedInstallationStore(InstallationStore):
    """slack_sdk's SQLAlchemyInstallationStore on the control engine, every token encrypted on
    the way in and decrypted on the way out; Bolt's OAuth flow and authorize use it unchanged."""

    def __init__(self, engine: Engine, cipher: TokenCipher, client_id: str | None,
                 logger: logging.Logger = log):
        self.cipher = cipher
        self.client_id = client_id
        self._logger = logger
        # slack_sdk's columns are NOT NULL for client_id: a command run without SLACK_CLIENT_ID
        # (only reading or rotating) uses "" there and is not filtered by it (one app per deployment).
        self.tables = _Tables(client_id=client_id or "", engine=engine, logger=logger)
        self.engine = engine

    @property
    def logger(self) -> logging.Logger:
        return self._logger

    def create_tables(self) -> None:
        create_control_tables(self.engine, self.tables.metadata)

    # --- what Bolt calls ---------------------------------------------------------------------
    def save(self, installation: Installation) -> None:
        self.tables.save(_sealed(installation, INSTALLATION_SECRETS, self.cipher.encrypt))

    def save_bot(self, bot: Bot) -> None:
        self.tables.save_bot(_sealed(bot, BOT_SECRETS, self.cipher.encrypt))

    def find_bot(self, *, enterprise_id: Optional[str], team_id: Optional[str],
                 is_enterprise_install: Optional[bool] = False) -> Optional[Bot]:
        bot = self.tables.find_bot(enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install)
        return _sealed(bot, BOT_SECRETS, self.cipher.decrypt) if bot is not None else None

    def find_installation(self, *, enterprise_id: Optional[str], team_id: Optional[str], user_id: Optional[str] = None,
                          is_enterprise_install: Optional[bool] = False) -> Optional[Installation]:
        found = self.tables.find_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id,
                                              is_enterprise_install=is_enterprise_install)
        return _sealed(found, INSTALLATION_SECRETS, self.cipher.decrypt) if found is not None else None

    def delete_bot(self, *, enterprise_id: Optional[str], team_id: Optional[str]) -> None:
        self.tables.delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    def delete_installation(self, *, enterprise_id: Optional[str], team_id: Optional[str],
                            user_id: Optional[str] = None) -> None:
        self.tables.delete_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)

    # --- ours --------------------------------------------------------------------------------
    def _ours(self, table: Table):
        """Rows of this app (all rows when no client id was given)."""
        return table.c.client_id == self.client_id if self.client_id else true()

    def _tenant_rows(self, table: Table, tenant_id: str):
        """The rows of one tenant: an org-wide install of the org, or any install of the workspace
        (with or without a Grid org: a payload need not say which org a workspace is in)."""
        c = table.c
        return and_(self._ours(table), or_(and_(c.is_enterprise_install.is_(True), c.enterprise_id == tenant_id),
                                           and_(c.is_enterprise_install.is_(False), c.team_id == tenant_id)))

    def has_tables(self) -> bool:
        names = set(inspect(self.engine).get_table_names())
        return {self.tables.bots.name, self.tables.installations.name} <= names


def create_control_tables(engine: Engine, *metadatas: MetaData) -> None:
    """slack_sdk's tables in the control database (public schema), if missing. On PostgreSQL under
    an advisory lock: gunicorn workers start at once, and concurrent CREATE TABLEs collide."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CONTROL_TABLES_LOCK})
        for metadata in metadatas:
            metadata.create_all(conn, checkfirst=True)


def installation_store(control_db, cipher: TokenCipher, client_id: str | None) -> EncryptedInstallationStore:
    """The deployment's installation store on the control database (its tables made if missing)."""
    store = EncryptedInstallationStore(control_db.engine, cipher, client_id)
    store.create_tables()
    return store


def bot_token_for(store: EncryptedInstallationStore, tenant_id: str) -> str | None:
    """The tenant's current bot token (an org-wide install's for an E… id), decrypted; None if it
    has none (never installed, or uninstalled)."""
    if not tenant_id:
        return None
    bots = store.tables.bots
    query = (select(bots.c.bot_token).where(store._tenant_rows(bots, tenant_id), bots.c.bot_token.is_not(None))
             .order_by(desc(bots.c.installed_at), desc(bots.c.id)).limit(1))
    with store.engine.connect() as conn:
        stored = conn.execute(query).scalar()
    return store.cipher.decrypt(stored) if stored else None


def forget(store: EncryptedInstallationStore, tenants, enterprise_id: str | None, team_id: str | None,
           is_enterprise_install: bool) -> str:
    """app_uninstalled (or the bot token revoked): every stored token of the tenant is deleted and
    the tenant marked removed (Tenants.remove); its records stay, as retention and the data
    processing agreement require, and a reinstall finds them. Returns the tenant id."""
    from storage.tenancy import tenant_key

    tenant = tenant_key(enterprise_id, team_id, bool(is_enterprise_install))
    with store.engine.begin() as conn:
        for table in (store.tables.installations, store.tables.bots):
            conn.execute(delete(table).where(store._tenant_rows(table, tenant)))
    if tenants is not None:
        tenants.remove(tenant)
    return tenant


def _stored_secrets(store: EncryptedInstallationStore):
    for table, names in ((store.tables.installations, INSTALLATION_SECRETS), (store.tables.bots, BOT_SECRETS)):
        yield table, names


def rotate_tokens(store: EncryptedInstallationStore, cipher: TokenCipher) -> int:
    """Every stored token re-encrypted with the newest key of `cipher`, in one transaction (all or
    nothing: a token no key opens stops it, changing nothing). Returns how many tokens."""
    count = 0
    with store.engine.begin() as conn:
        for table, names in _stored_secrets(store):
            columns = [table.c[name] for name in names]
            for row in conn.execute(select(table.c.id, *columns).where(store._ours(table))).mappings().all():
                changed = {name: cipher.rotate(row[name]) for name in names if row[name]}
                if changed:
                    conn.execute(update(table).where(table.c.id == row["id"]).values(**changed))
                    count += len(changed)
    return count


def undecryptable(store: EncryptedInstallationStore) -> int:
    """How many stored tokens no key of the store's cipher opens (a start-up check: 0 is good)."""
    bad = 0
    with store.engine.connect() as conn:
        for table, names in _stored_secrets(store):
            for row in conn.execute(select(*[table.c[n] for n in names]).where(store._ours(table))).mappings():
                for name in names:
                    if row[name]:
                        try:
                            store.cipher.decrypt(row[name])
                        except UndecryptableToken:
                            bad += 1
    return bad


__all__ = ["EncryptedInstallationStore", "TokenCipher", "TokenKeyError", "UndecryptableToken", "bot_token_for",
           "create_control_tables", "forget", "installation_store", "new_key", "rotate_tokens", "undecryptable"]
