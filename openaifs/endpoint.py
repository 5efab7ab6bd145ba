"""Where the API is and how a request proves who sends it: OpenAI or Azure OpenAI.

OpenAI takes ``{base_url}/files`` with ``Authorization: Bearer <key>``. Azure OpenAI serves the
same API at ``{azure_endpoint}/openai/files?api-version=<date>`` with the key in an ``api-key``
header, or an Entra ID token as ``Authorization: Bearer``. :func:`resolve` turns the
filesystem's options and the environment variables the official SDK reads into an
:class:`Endpoint`; :class:`openaifs.client.APIClient` asks its credential for the headers of
each request and adds its query to every URL. No credential's ``repr`` shows its secret.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

DEFAULT_BASE_URL = "https://api.openai.com/v1"


class Credential:
    """How a request authenticates: the headers to send, and the secrets to mask."""

    def headers(self) -> dict[str, str]:
        """The headers to send with one request (asked again for each attempt)."""
        raise NotImplementedError

    def secrets(self) -> tuple[str, ...]:
        """The secret strings known now, to be masked in any text shown."""
        return ()

    def identity(self) -> str:
        """A string that stays the same while the principal does (hashed by its users)."""
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(***)"


class _Secret(Credential):
    """A credential that is one fixed string (false when empty)."""

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def secrets(self) -> tuple[str, ...]:
        return (self._secret,) if self._secret else ()

    def identity(self) -> str:
        return self._secret

    def __bool__(self) -> bool:
        return bool(self._secret)


class BearerKey(_Secret):
    """An OpenAI key or an Entra ID token, sent as ``Authorization: Bearer``."""

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._secret}"}


class AzureKey(_Secret):
    """An Azure OpenAI key, sent in the ``api-key`` header."""

    def headers(self) -> dict[str, str]:
        return {"api-key": self._secret}


class TokenProvider(Credential):
    """An Entra ID token from a callable, asked for on every request (as the official SDK does).

    The callable must be thread-safe (parts go up in parallel) and cheap: ``azure.identity``'s
    ``get_bearer_token_provider`` caches its token until shortly before it expires.
    """

    def __init__(self, provider: Callable[[], str]) -> None:
        if not callable(provider):
            raise TypeError(
                f"azure_ad_token_provider must be a callable returning a token, not "
                f"{type(provider).__name__}"
            )
        self.provider = provider
        self._last = ""

    def headers(self) -> dict[str, str]:
        token = self.provider()
        if not isinstance(token, str) or not token:
            raise PermissionError(
                "azure_ad_token_provider returned "
                f"{'an empty string' if token == '' else type(token).__name__}, not a token"
            )
        self._last = token
        return {"Authorization": f"Bearer {token}"}

    def secrets(self) -> tuple[str, ...]:
        return (self._last,) if self._last else ()

    def identity(self) -> str:
        # Tokens change; the provider stands for the principal.
        return f"provider-{id(self.provider)}"


class MissingCredential(Credential):
    """No credential: every request fails at once, saying what to set."""

    def __init__(self, message: str) -> None:
        self.message = message

    def headers(self) -> dict[str, str]:
        raise PermissionError(self.message)


@dataclass(frozen=True, repr=False)
class Endpoint:
    """The API's address, the query every request carries, and the credential.

    Attributes
    ----------
    base_url : str
        The root the API paths (``/files``...) are appended to.
    query : dict
        Added to every request (Azure: ``{"api-version": ...}``).
    credential : Credential
        The headers that authenticate each request.
    azure : bool
        Whether this is Azure OpenAI (for messages and ``repr``).
    """

    base_url: str
    credential: Credential
    query: Mapping[str, str] = field(default_factory=dict)
    azure: bool = False

    @property
    def has_key(self) -> bool:
        """False only for OpenAI without a key (asking then names ``OPENAI_API_KEY``); Azure
        without a credential fails at its first request with the Azure variables' names."""
        return self.azure or bool(self.credential)

    @property
    def identity(self) -> str:
        """Stands for the principal, for caches shared per credential (hashed there)."""
        return self.credential.identity()

    @property
    def shown(self) -> str:
        """What a ``repr`` adds to the address: the Azure ``api_version``, if any."""
        version = self.query.get("api-version")
        return f", api_version={version!r}" if version else ""

    def __repr__(self) -> str:
        # The address may carry user:password@; the filesystem's repr shows it masked.
        kind = "Azure OpenAI" if self.azure else "OpenAI"
        return f"Endpoint({kind}, {self.credential!r}, query={dict(self.query)!r})"


AZURE_ONLY = ("api_version", "azure_ad_token", "azure_ad_token_provider")


def resolve(
    api_key: str | None,
    base_url: str | None,
    azure_endpoint: str | None = None,
    api_version: str | None = None,
    azure_ad_token: str | None = None,
    azure_ad_token_provider: Callable[[], str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> Endpoint:
    """The :class:`Endpoint` the options and the environment describe.

    Azure OpenAI is used when ``azure_endpoint`` is given, or when ``$AZURE_OPENAI_ENDPOINT``
    is set and neither ``base_url`` nor ``$OPENAI_BASE_URL`` is. Each service reads only its
    own variables, so an OpenAI key is never sent to Azure, nor an Azure key to OpenAI.

    Raises
    ------
    ValueError
        For options that contradict each other or are missing (each message names the fix).
    """
    env = os.environ if environ is None else environ
    if azure_endpoint and base_url:
        raise ValueError(
            "base_url and azure_endpoint are mutually exclusive: pass azure_endpoint= for Azure "
            "OpenAI, base_url= for OpenAI or another compatible service"
        )
    azure = bool(azure_endpoint) or (
        not base_url and not env.get("OPENAI_BASE_URL") and bool(env.get("AZURE_OPENAI_ENDPOINT"))
    )
    if not azure:
        given = [
            name
            for name, value in zip(
                AZURE_ONLY, (api_version, azure_ad_token, azure_ad_token_provider), strict=True
            )
            if value is not None
        ]
        if given:
            raise ValueError(
                f"{given[0]} is an Azure OpenAI option: pass azure_endpoint= too (or set "
                "AZURE_OPENAI_ENDPOINT)"
            )
        key = api_key if api_key is not None else env.get("OPENAI_API_KEY", "")
        url = base_url or env.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
        return Endpoint(url.rstrip("/"), BearerKey(key))
    endpoint = (azure_endpoint or env["AZURE_OPENAI_ENDPOINT"]).rstrip("/")
    version = api_version or env.get("OPENAI_API_VERSION")
    if not version:
        raise ValueError(
            "Azure OpenAI needs an API version: pass api_version= (e.g. '2024-10-21') or set "
            "OPENAI_API_VERSION"
        )
    credential = _azure_credential(api_key, azure_ad_token, azure_ad_token_provider, env)
    return Endpoint(f"{endpoint}/openai", credential, {"api-version": version}, azure=True)


def _azure_credential(
    api_key: str | None,
    token: str | None,
    provider: Callable[[], str] | None,
    env: Mapping[str, str],
) -> Credential:
    """At most one explicit credential; else the environment, a token first (as the SDK)."""
    if sum(value is not None for value in (api_key, token, provider)) > 1:
        raise ValueError(
            "api_key, azure_ad_token and azure_ad_token_provider are mutually exclusive: "
            "pass one of them"
        )
    if provider is not None:
        return TokenProvider(provider)
    if token is None and api_key is None:
        token = env.get("AZURE_OPENAI_AD_TOKEN") or None
        api_key = None if token else env.get("AZURE_OPENAI_API_KEY")
    if token:
        return BearerKey(token)
    if api_key:
        return AzureKey(api_key)
    return MissingCredential(
        "no Azure OpenAI credential: set AZURE_OPENAI_API_KEY, or pass api_key=, "
        "azure_ad_token= or azure_ad_token_provider= (storage_options={...} through "
        "pandas or dask)"
    )
