# One image for every role of the platform: the command picks the role.
#
#   docker run IMAGE                                  the gateway and portal (app.py serve)
#   docker run IMAGE worker --metrics-port 9201       a Celery worker
#   docker run IMAGE beat --metrics-port 9202         the scheduler (exactly one)
#   docker run IMAGE ledger relay --metrics-port 9203
#   docker run IMAGE migrate                          before a rollout (deploy/k8s: the migrate Job)
#
# The base image is pinned by digest when it is built. This repository's CI cannot pull
# images, so no digest is written here (one that was never resolved would be made up): the
# release pipeline resolves the tag below and passes it with its digest,
#
#   docker build --build-arg PYTHON_IMAGE=python:3.11.7-slim-bookworm@sha256:<digest> .
#
# (docs/deployment.md, "Building the image"). The tag is the Python the project is tested on.
ARG PYTHON_IMAGE=python:3.11.7-slim-bookworm

# --- builder: wheels for every pinned runtime requirement, installed into a virtualenv ---
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
# Compilers only for a requirement that has no wheel for this platform; they stay in this stage.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY requirements.txt ./
RUN pip wheel --wheel-dir /wheels -r requirements.txt \
    && python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-index --find-links /wheels -r requirements.txt

# --- runtime: the virtualenv and the application code, nothing else ---
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONFAULTHANDLER=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    HOST=0.0.0.0 \
    PORT=8050 \
    VAR_DIR=/app/var
# A fixed numeric uid, so Kubernetes' runAsNonRoot can verify it without a passwd lookup.
RUN groupadd --system --gid 10001 pools \
    && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin pools
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
# Owned by root and read-only to the app user: the process cannot rewrite its own code.
# Only the runtime packages: tests, docs, bench and deploy never enter the image.
COPY app.py requirements.txt ./
COPY backend ./backend
COPY ledger ./ledger
COPY reports ./reports
COPY portal ./portal
COPY notifications ./notifications
COPY sql ./sql
# Bytecode compiled now, because the root filesystem is read-only at run time (and
# PYTHONDONTWRITEBYTECODE keeps the process from trying). var/ is the one writable path;
# in Kubernetes an emptyDir is mounted over it.
RUN python -m compileall -q /app \
    && mkdir -p /app/var \
    && chown 10001:10001 /app/var
USER 10001:10001
EXPOSE 8050
# For `docker run`; Kubernetes ignores it and uses the probes of deploy/k8s. It checks what
# the role serves: the app server's /healthz, else the --metrics-port (or METRICS_PORT) of a
# worker, beat, relay or consumer; a role that serves neither is healthy while it runs.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os,socket,urllib.request as r;a=open('/proc/1/cmdline','rb').read().split(b'\\0');m=[a[i+1] for i,x in enumerate(a[:-1]) if x==b'--metrics-port'] or [os.environ.get('METRICS_PORT','').encode()];p=os.environ.get('PORT','8050');r.urlopen('http://127.0.0.1:'+p+'/healthz',timeout=4) if b'serve' in a else m[0] and socket.create_connection(('127.0.0.1',int(m[0])),4).close()"]
ENTRYPOINT ["python", "app.py"]
CMD ["serve"]
