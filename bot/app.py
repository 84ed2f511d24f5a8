"""Build the Bolt app once per process: client, middleware, listeners."""
from __future__ import annotations

import logging

from slack_bolt import App, BoltResponse

from storage.db import Database

from . import workspaces
from .logs import ContextExecutor
from .config import Secrets, Settings
from .config_store import ConfigStore
from .delivery import Deliverer, make_delivery_client
from .escalation import Escalations
from .listeners import Deps, register_all
from .slack_messenger import make_client
from .slack_views import SlackViews

log = logging.getLogger("canishare.app")

LISTENER_THREADS = 32  # Bolt's listener executor: each thread runs one click's work (bench/results.md)
BACKGROUND_THREADS = 3  # the delivery loop, the scheduler's ticker, the metrics collector


def pool_size(request_threads: int) -> int:
    """Database connections one process needs so that no thread waits for one: every
    listener's work on the executor, every request thread (acks, /readyz) and the background threads at once."""
    return LISTENER_THREADS + request_threads + BACKGROUND_THREADS


def _bolt_options(secrets: Secrets) -> dict:
    # Bolt's warnings quote parts of payloads; only its errors (which we reduce to types) are logged.
    bolt_logger = logging.getLogger("canishare.bolt")
    bolt_logger.setLevel(logging.ERROR)
    return dict(
        signing_secret=secrets.signing_secret,
        # Every listener acks in the request thread and hands its Web API work to this
        # executor (bot/listeners.acked), so an ack never waits behind other clicks' work
        # (bench/results.md).
        process_before_response=True,
        listener_executor=ContextExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="canishare-work"),
        logger=bolt_logger,
        # Requests no listener handles (events we do not use, view_closed, app_rate_limited)
        # reach the error handler, which answers 200: Slack must not retry them.
        raise_error_for_unhandled_request=True,
        # bot/server.py checks every HTTP request's signature before Bolt sees it (and Socket
        # Mode requests carry none): Bolt's own check would only repeat that work on each click.
        request_verification_enabled=False,
    )


def build_app(settings: Settings | None, secrets: Secrets, db: Database) -> App:
    """`settings`: the YAML file's, used only while the database holds no configuration
    (serve seeds it before any worker starts; bench/ builds apps on databases without one).
    With SLACK_CLIENT_ID (Secrets.multi_workspace), many workspaces: build_multi_app."""
    if getattr(secrets, "multi_workspace", False):
        return build_multi_app(settings, secrets, db)
    client = make_client(secrets.bot_token, secrets.api_url)
    app = App(client=client, **_bolt_options(secrets))  # the client carries the token and the configured base URL
    # Which workspace we are installed in; requests from any other are refused.
    auth = client.auth_test()
    workspace = auth.get("team_id")
    enterprise = auth.get("enterprise_id")  # an Enterprise Grid org: its other workspaces are ours too
    if workspace:
        workspaces.reinstalled(db, workspace)  # auth.test accepted the token: it works here again
    config = ConfigStore(db, fallback=settings)  # one per process: every listener reads the newest version
    escalations = Escalations(config, db, secrets.pseudonym_key, views=SlackViews())
    deliverer = Deliverer(make_delivery_client(secrets.bot_token, secrets.api_url), db, hooks=escalations)
    deps = Deps(config=config, db=db, pseudonym_key=secrets.pseudonym_key,
                escalations=escalations, workspace=workspace, deliverer=deliverer)

    @app.middleware
    def only_our_workspace(context, next) -> BoltResponse | None:  # noqa: A002 - Bolt's name
        if enterprise and context.enterprise_id == enterprise:
            return next()
        if workspace and context.team_id and context.team_id != workspace:
            log.warning("refused a request from another workspace")
            return BoltResponse(status=403, body="This app is not installed in that workspace.")
        return next()

    register_all(app, deps)
    app.canishare_deps = deps  # type: ignore[attr-defined]
    return app


def build_multi_app(settings: Settings | None, secrets: Secrets, control: Database) -> App:
    """Many workspaces (and Grid orgs) on one deployment. `control` is the DATABASE_URL database:
    the tenant registry, the installations (tokens encrypted) and the scheduler's lease; each
    tenant's data is in its own database (storage/tenancy.py). No auth.test at start and no
    default tenant: Bolt finds each request's installation, the tenancy middleware its tenant
    (bot/tenant_deps.py), and a request for no installed tenant does nothing. `settings` (the
    YAML file, if any) gives only the policy a new tenant's first configuration starts with."""
    from slack_bolt.authorization.authorize import InstallationStoreAuthorize
    from slack_sdk import WebClient

    from storage.tenancy import Tenants

    from .installations import TokenCipher, bot_token_for, forget, installation_store
    from .oauth import oauth_settings
    from .slack_connect import payload_enterprise
    from .tenant_deps import NOT_SET_UP, TenantDeps, installed, tenancy_middleware

    tenants = Tenants(control)
    store = installation_store(control, TokenCipher(secrets.token_key), secrets.client_id)

    def uninstall(tenant: str, status: str, body: dict) -> None:
        """app_uninstalled, or the bot token revoked: the installation is deleted and the tenant
        marked removed; its records stay (retention and the data processing agreement decide)."""
        org = tenant.startswith("E")
        forget(store, tenants, tenant if org else payload_enterprise(body), None if org else tenant, org)
        log.warning("tenant %s: the app was %s; its installation is removed, its records are kept", tenant, status)

    source = TenantDeps(tenants, master_key=secrets.pseudonym_key, api_url=secrets.api_url,
                        token_for=lambda tenant: bot_token_for(store, tenant), uninstall=uninstall)
    policy = settings.policy if settings is not None else None
    kwargs: dict = {"base_url": secrets.api_url} if secrets.api_url else {}
    client = WebClient(**kwargs)  # no token: Bolt gives each request a client with its installation's
    app = App(
        client=client,
        # Bolt's own authorize, with its cache on: without it every request costs an auth.test
        # round trip to Slack before the ack (bench/results-20.md). The cache is keyed by token
        # and read only after the installation is found, so an uninstalled workspace (no
        # installation) or a reinstalled one (a new token) is never served from it.
        authorize=InstallationStoreAuthorize(installation_store=store, client_id=secrets.client_id,
                                             client_secret=secrets.client_secret, logger=logging.getLogger("canishare.bolt"),
                                             client=client, cache_enabled=True),
        oauth_settings=oauth_settings(secrets, control, store,
                                      lambda installation: installed(tenants, source, installation, policy)),
        # A request from a workspace (or a Slack Connect partner's) with no installation here.
        user_facing_authorize_error_message=NOT_SET_UP,
        **_bolt_options(secrets),
    )
    app.middleware(tenancy_middleware(source))
    register_all(app, source)
    app.canishare_deps = source  # type: ignore[attr-defined]
    app.canishare_tenants = tenants  # type: ignore[attr-defined]
    return app


def start_background(bolt: App, db: Database) -> None:
    """The delivery loop and the scheduler's ticker of a serving process: one workspace's, or
    every active tenant's in turn (the ticker's lease is `db`'s: one per deployment)."""
    from .delivery import DeliveryLoop
    from .listeners import Deps
    from .scheduled_tasks import scheduled_tasks
    from .scheduler import Ticker

    source = bolt.canishare_deps  # type: ignore[attr-defined]
    if isinstance(source, Deps):
        DeliveryLoop(source.deliverer).start()  # undelivered items from before a restart go at once
    else:
        DeliveryLoop(tenants=source.served).start()
    Ticker(db, scheduled_tasks(bolt, db)).start()
