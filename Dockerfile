# The container of the autotune GitHub Action (action.yml: `runs: using: docker`).
#
# GitHub builds this file on the runner with no build arguments, so every ARG below has a
# default that works on github.com. Behind a corporate proxy, build it yourself with:
#   --build-arg PIP_INDEX_URL=https://pypi.example.internal/simple
#   --build-arg PIP_CERT=/run/corp-ca.crt   (plus a read-only mount of that file at that path)
# (docs/github-action.md has the details).
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}

# No USER instruction: GitHub runs container actions as root and mounts the workspace (owned
# by the runner's own user) at /github/workspace; a non-root user could not write to it.
# No WORKDIR either: GitHub sets the working directory to the workspace.

ENV DEBIAN_FRONTEND=noninteractive \
    LANG=C.UTF-8 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PATH=/opt/autotune/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# Python (Debian's 3.11 matches the project's minimum) and git, nothing recommended on top.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates git python3 python3-venv \
    && rm -rf /var/lib/apt/lists/* \
    && git config --system --add safe.directory '*'
# safe.directory '*': the checkout is mounted from the runner and owned by another uid than
# root; without this, git refuses to work in it ("dubious ownership").

# Only what `pip install .` needs: the package, its metadata and the files pyproject names.
COPY pyproject.toml README.md LICENSE /src/
COPY autotune_bot /src/autotune_bot

# A pip index and a CA bundle for networks that intercept TLS. Empty values mean pip's own
# defaults; they apply to this build only and are not kept in the image.
ARG PIP_INDEX_URL=
ARG PIP_CERT=
RUN set -eu; \
    if [ -z "${PIP_INDEX_URL}" ]; then unset PIP_INDEX_URL; fi; \
    if [ -z "${PIP_CERT}" ]; then unset PIP_CERT; fi; \
    python3 -m venv /opt/autotune; \
    /opt/autotune/bin/pip install /src; \
    rm -rf /src; \
    autotune --version

ENTRYPOINT ["autotune", "action"]
