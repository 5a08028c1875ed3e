"""The API token, kept in the OS keyring (DESIGN §3, §6).

Service "partner-workbench:<normalised server URL>", username = the user's email. The token is
never written to SQLite, settings, logs, exception messages or command output. When the machine
has no usable keyring backend (keyring raises NoKeyringError or another KeyringError on the first
get/set, not at import) the token is kept in this process's memory only and the caller gets a
message to show.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import keyring
import keyring.errors

log = logging.getLogger(__name__)

SERVICE_PREFIX = "partner-workbench:"
NO_KEYRING_MESSAGE = ("no usable keyring (credential store) was found on this computer: the access "
                      "token is kept for this session only and you will have to sign in again "
                      "next time")
_DEFAULT_PORTS = {"http": 80, "https": 443}

# Fallback when there is no keyring: (service, email) -> token, for this process only.
_memory: dict[tuple[str, str], str] = {}


class BadServerUrl(ValueError):
    pass


def normalise_server_url(url: str) -> str:
    """One spelling per server: lower-case scheme and host, no default port, no trailing slash."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise BadServerUrl(f"server: expected an address such as https://partners.example.com, "
                           f"got {url!r}")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise BadServerUrl("server: give the address only (no user name, query or fragment)")
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        raise BadServerUrl(f"server: the port in {url!r} is not a number") from None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))


def service_name(server_url: str) -> str:
    return SERVICE_PREFIX + normalise_server_url(server_url)


@dataclass(frozen=True)
class Saved:
    in_keyring: bool  # False: kept in memory for this process only
    message: str | None = None  # what to tell the rep when it is not in the keyring


def save_token(server_url: str, email: str, token: str) -> Saved:
    key = (service_name(server_url), email.lower())
    try:
        keyring.set_password(key[0], key[1], token)
    except keyring.errors.KeyringError as error:
        # The exception text of some backends echoes arguments; log only its type.
        log.info("keyring unavailable (%s); keeping the token in memory", type(error).__name__)
        _memory[key] = token
        return Saved(in_keyring=False, message=NO_KEYRING_MESSAGE)
    _memory.pop(key, None)
    return Saved(in_keyring=True)


def load_token(server_url: str, email: str) -> str | None:
    key = (service_name(server_url), email.lower())
    if key in _memory:
        return _memory[key]
    try:
        return keyring.get_password(key[0], key[1])
    except keyring.errors.KeyringError as error:
        log.info("keyring unavailable (%s)", type(error).__name__)
        return None


def delete_token(server_url: str, email: str) -> None:
    key = (service_name(server_url), email.lower())
    _memory.pop(key, None)
    try:
        keyring.delete_password(key[0], key[1])
    except keyring.errors.PasswordDeleteError:
        pass  # nothing stored: signing out twice is fine
    except keyring.errors.KeyringError as error:
        log.info("keyring unavailable (%s)", type(error).__name__)


def remember_for_process(server_url: str, email: str, token: str) -> None:
    """Use a token for this process without storing it anywhere (e.g. `sync --token-stdin`)."""
    _memory[(service_name(server_url), email.lower())] = token
