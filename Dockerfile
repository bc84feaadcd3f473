FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=hubdelivery.settings.production \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media

WORKDIR /app
# Dependencies first, from pyproject.toml alone, so a code change does not reinstall them
# (OR-Tools and NumPy are most of the image's build time).
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install --no-cache-dir -r /tmp/requirements.txt
COPY . .
RUN pip install --no-cache-dir --no-deps . \
 && SECRET_KEY=collectstatic-only SITE_URL=http://build.invalid python manage.py collectstatic --noinput \
 && SECRET_KEY=compile-only SITE_URL=http://build.invalid python manage.py compiletranslations \
 && useradd --create-home --uid 1000 portal \
 && mkdir -p /data/media && chown -R portal /data

USER portal
EXPOSE 8000
CMD ["gunicorn", "hubdelivery.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "gthread", "--threads", "4", "--keep-alive", "75", "--access-logfile", "-"]
