# Allmende – container image. Build: docker build -t allmende .
# Run migrations once per release (`allmende db upgrade`), then start as many containers
# as needed; all state lives in PostgreSQL.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /srv/allmende
# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir app && touch app/__init__.py && /opt/venv/bin/pip install . && rm -rf app
COPY app ./app
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
COPY alembic.ini ./
# Editable install: templates/, static/ and migrations/ stay beside the code.
RUN /opt/venv/bin/pip install --no-deps -e . \
    && /opt/venv/bin/python -m compileall -q app

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ALLMENDE_ENV=production \
    ALLMENDE_LOG_JSON=true
RUN groupadd --system --gid 10001 allmende \
    && useradd --system --uid 10001 --gid allmende --home-dir /srv/allmende --shell /usr/sbin/nologin allmende
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=root:root /srv/allmende /srv/allmende
WORKDIR /srv/allmende
USER allmende
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
CMD ["allmende", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
