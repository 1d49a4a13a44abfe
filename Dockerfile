# Every service's image, from one file: `docker build --build-arg SERVICE=links .`
#
# One Dockerfile, not one per service: every service has the same shape (services/<name>
# holds a pyproject and a package of that name, built on services/snipkit), so separate
# files would be copies differing in one word, bound to drift. A new service under
# services/ gets an image with no edit here; scripts/images.sh finds it.

# The public image, pinned to a Python patch release and a Debian release. Pin a digest
# too (python:3.11.14-slim-bookworm@sha256:...) once you have read it from the registry
# with `docker buildx imagetools inspect`; CI on a machine with no registry passes a
# local stand-in (.ci/base-image.sh).
ARG BASE_IMAGE=python:3.11.14-slim-bookworm

FROM ${BASE_IMAGE} AS build
# pip reads PIP_CERT from the environment: a proxy's CA bundle, mounted by the builder
# for this stage only. The final stage never declares it, so it is not in the image.
ARG PIP_CERT
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore
RUN python3 -m venv /opt/venv
COPY requirements/lock.txt /src/requirements/lock.txt

# The kit and its dependencies first, before SERVICE is declared: this layer is the
# same for every service, so a build of all of them makes it once.
COPY services/snipkit /src/services/snipkit
RUN /opt/venv/bin/pip install --quiet -c /src/requirements/lock.txt /src/services/snipkit

ARG SERVICE
RUN test -n "${SERVICE}" || { echo "build with --build-arg SERVICE=<a folder of services/>" >&2; exit 1; }
COPY services/${SERVICE} /src/services/${SERVICE}
RUN /opt/venv/bin/pip install --quiet -c /src/requirements/lock.txt /src/services/${SERVICE} \
 && /opt/venv/bin/pip uninstall --quiet --yes pip setuptools

FROM ${BASE_IMAGE}
ARG SERVICE

# The virtualenv is the whole application: no compiler, no source tree, no pip.
COPY --from=build /opt/venv /opt/venv
# The user the manifests run as (runAsUser: 10001) has a name: code that asks who it runs
# as (getpass.getuser(), as yoyo does when it records a migration) fails without one.
RUN groupadd --gid 10001 snip \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin snip
# The metrics folder exists for plain `docker run`; Kubernetes mounts an emptyDir over it
# and the root filesystem stays read-only. Writable by any user, like /tmp, so a platform
# that picks its own UID (OpenShift) works too.
RUN install -d -m 1777 /var/run/metrics

# Bytecode was compiled at build time; at run time nothing may be written beside it.
ENV PATH=/opt/venv/bin:${PATH} \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PORT=8080 \
    PROMETHEUS_MULTIPROC_DIR=/var/run/metrics \
    WSGI_APP=${SERVICE}.wsgi:app
USER 10001
EXPOSE 8080

# Labels last: VERSION and REVISION change on every commit and would void the cache of
# every step after them.
ARG VERSION=dev
ARG REVISION=unknown
# Where the code lives: scripts/images.sh passes the URL of the git remote `origin`.
ARG SOURCE=""
LABEL org.opencontainers.image.title="snip-${SERVICE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}"
# The app is WSGI_APP above, read by the kit's gunicorn config: an exec-form CMD cannot
# expand build arguments. Other process types and admin commands replace the command
# with the service's own console script (`stats worker`, `links db upgrade`).
CMD ["gunicorn", "-c", "python:snipkit.gunicorn_conf"]
