# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Dependencies from the hash-checked lock (make lock), in their own layer.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY dxtracker ./dxtracker
COPY units ./units
COPY targets ./targets
COPY reporting ./reporting
COPY attainment ./attainment
COPY dashboards ./dashboards
COPY api ./api
COPY leaders ./leaders
COPY fixtures ./fixtures
COPY manage.py ./
RUN pip install --no-deps . \
 && DEBUG=1 STATIC_MANIFEST=1 python manage.py collectstatic --noinput \
 && useradd --system --uid 1000 --home /app dx \
 && mkdir -p /app/media && chown -R dx /app/media

USER dx
EXPOSE 8000
CMD ["gunicorn", "dxtracker.wsgi:application", "-c", "dxtracker/gunicorn.conf.py"]
