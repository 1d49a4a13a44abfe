"""What faces the internet, per overlay: web's session cookie travels over HTTPS only
outside dev."""

from __future__ import annotations

import pytest

from snipdev.kube.render import container, find


def web_setting(objects: list[dict], name: str) -> str | None:
    """The value web's container gets for ``name``, from its env or its ConfigMaps."""
    web = container(find(objects, "Deployment", "web"), "web")
    for variable in web.get("env", []):
        if variable["name"] == name:
            return variable.get("value")
    for source in web.get("envFrom", []):
        config = find(objects, "ConfigMap", source["configMapRef"]["name"])
        if name in config.get("data", {}):
            return config["data"][name]
    return None


@pytest.mark.parametrize("overlay", ["staging", "prod"])
def test_the_session_cookie_is_secure_outside_dev(rendered, overlay):
    assert web_setting(rendered[overlay], "SESSION_COOKIE_SECURE") == "true"
