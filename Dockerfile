# Two stages: the build stage installs the runtime lock (hashes required) into a virtualenv
# and collects the static files; the runtime image copies only those, so no compiler, pip
# cache or test tool (pytest, playwright, mypy, schemathesis) ends up in production.
FROM python:3.11-slim-bookworm AS build
ENV PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY requirements.lock /tmp/requirements.lock
RUN /opt/venv/bin/pip install --require-hashes --no-deps -r /tmp/requirements.lock
WORKDIR /app
COPY . .
RUN DEBUG=False SECRET_KEY=build-only-not-a-secret-0000000000000000000000000000000000 \
    /opt/venv/bin/python manage.py collectstatic --noinput

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=portal.settings MEDIA_ROOT=/app/var/media
# WeasyPrint's Pango libraries and fonts with Vietnamese glyphs (Liberation Serif stands in
# for Times New Roman) for the PDF reports.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
    libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core fonts-liberation2 \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 portal
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=root:root /app /app
RUN mkdir -p /app/var/media && chown -R portal /app/var
WORKDIR /app
USER portal
EXPOSE 8000
# Liveness only (process and database); the full status page is /health/.
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD ["python", "deploy/healthcheck.py", "web"]
CMD ["gunicorn", "portal.wsgi:application", "--config", "deploy/gunicorn.conf.py"]
