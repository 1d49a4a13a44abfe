"""The logging agent's pipeline (kustomize/components/logging/fluent-bit.conf): what it
collects, and how it ships to Elasticsearch."""

from __future__ import annotations

from fnmatch import fnmatch

from snipdev.kube.render import COMPONENTS, container, find

CONF = COMPONENTS / "logging" / "fluent-bit.conf"


def sections(text: str) -> list[tuple[str, dict[str, str]]]:
    """[(section name, {key: value})] of a Fluent Bit classic configuration file."""
    found: list[tuple[str, dict[str, str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            found.append((line.strip("[]"), {}))
        else:
            key, _, value = line.partition(" ")
            found[-1][1][key.lower()] = value.strip()
    return found


def collected(tail: dict[str, str], file: str) -> bool:
    return fnmatch(file, tail["path"]) and not fnmatch(file, tail.get("exclude_path", "\0"))


def test_the_suite_is_collected_and_the_agent_itself_is_not():
    tail = next(keys for name, keys in sections(CONF.read_text()) if name == "INPUT")
    assert collected(tail, "/var/log/containers/links-5d9f_snip-prod_links-0a1b.log")
    assert not collected(tail, "/var/log/containers/fluent-bit-x2k_snip-logging_fluent-bit-9f8e.log")
    assert not collected(tail, "/var/log/containers/coredns-7c_kube-system_coredns-11.log")


def test_elasticsearch_gets_tls_credentials_and_a_bounded_retry():
    output = next(keys for name, keys in sections(CONF.read_text()) if name == "OUTPUT")
    assert output["tls"] == "On" and output["tls.verify"] == "On"
    assert output["http_user"] == "${ELASTICSEARCH_USER}" and output["http_passwd"] == "${ELASTICSEARCH_PASSWORD}"
    assert output["retry_limit"].isdigit(), "Retry_Limit False retries a chunk forever"


def test_the_credentials_and_the_ca_come_from_the_secret(rendered):
    daemonset = find(rendered["prod"], "DaemonSet", "fluent-bit")
    agent = container(daemonset, "fluent-bit")
    refs = {e["name"]: e["valueFrom"]["secretKeyRef"]["name"] for e in agent["env"] if "valueFrom" in e}
    assert refs == {"ELASTICSEARCH_USER": "elasticsearch", "ELASTICSEARCH_PASSWORD": "elasticsearch"}
    output = next(keys for name, keys in sections(CONF.read_text()) if name == "OUTPUT")
    volumes = {v["name"]: v for v in daemonset["spec"]["template"]["spec"]["volumes"]}
    mount = next(m for m in agent["volumeMounts"] if output["tls.ca_file"].startswith(m["mountPath"] + "/"))
    assert volumes[mount["name"]]["secret"]["secretName"] == "elasticsearch"
