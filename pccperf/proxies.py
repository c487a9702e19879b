"""The client's address behind TRUSTED_PROXY_COUNT reverse proxies.

Behind a proxy every request comes from the proxy's address (REMOTE_ADDR),
so the login throttle, keyed on username and address, would lock a
username out for everyone at once. Each proxy appends the address it was
reached from to X-Forwarded-For, so with N trusted proxies the client is
the N-th entry from the right; anything to its left was written by the
client and may be forged. docs/decisions.md, "Trusted proxies and the login
throttle".
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address django-axes counts failed logins by (AXES_CLIENT_IP_CALLABLE)."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < count or not hops[-count]:
        # Fewer entries than proxies: this request did not come through all of
        # them (a health check from the proxy's own machine, or a configuration
        # that does not match the deployment). Its peer is the best we know.
        return remote
    candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        # A trusted proxy writes an address; anything else means the count is
        # wrong. Do not let such text become a lockout key.
        return remote
