# Slim production image: migrations run at start, then uvicorn serves the shop.
# Configure it through the environment (SQLite in the /data volume unless SHOP_DATABASE_URL says otherwise;
# set FORWARDED_ALLOW_IPS to your reverse proxy's address so X-Forwarded-* headers are trusted), e.g.
#   docker run -p 8000:8000 \
#     -e SHOP_ENVIRONMENT=production -e SHOP_SECRET_KEY=... \
#     -e SHOP_DATABASE_URL=postgresql+psycopg://shop:secret@db:5432/shop \
#     -e SHOP_BASE_URL=https://tienda.example.org -v shop-media:/data/media jpas-shop
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SHOP_ENVIRONMENT=production \
    SHOP_DATABASE_URL=sqlite:////data/shop.db \
    SHOP_MEDIA_DIR=/data/media \
    SHOP_PROOFS_DIR=/data/proofs \
    SHOP_CERTIFICATION_DIR=/data/certification \
    SHOP_RECORDS_DIR=/data/records \
    WEB_CONCURRENCY=2 \
    WEB_LIMIT_CONCURRENCY=200 \
    WEB_HTTP=httptools \
    FORWARDED_ALLOW_IPS=127.0.0.1

WORKDIR /app
RUN useradd --create-home --uid 10001 shop && mkdir -p /data/media /data/proofs /data/certification /data/records && chown -R shop /data

# Dependencies first, so code changes do not reinstall them; constraints.txt pins them to the tested versions.
COPY pyproject.toml README.md constraints.txt ./
RUN mkdir shop && touch shop/__init__.py && pip install -c constraints.txt . \
    && pip uninstall -y jpas-joloviletik-shop && rm -rf shop

COPY alembic.ini babel.cfg ./
COPY alembic ./alembic
COPY shop ./shop
COPY templates ./templates
COPY static ./static
RUN pip install --no-deps -e . && python -m compileall -q shop

USER shop
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"
# Several containers may start together: migrations take a PostgreSQL advisory lock, so only one runs them.
# Limits (README, "Production set-up"): the shop caps every body itself; uvicorn caps connections, idle time
# and header size (h11), and recycles workers; a reverse proxy in front caps headers, bodies and slow clients.
CMD ["sh", "-c", "shop db upgrade && exec uvicorn shop.main:create_app --factory --host 0.0.0.0 --port 8000 --workers ${WEB_CONCURRENCY} --http ${WEB_HTTP} --limit-concurrency ${WEB_LIMIT_CONCURRENCY} --backlog 512 --timeout-keep-alive 5 --limit-max-requests 20000 --limit-max-requests-jitter 2000 --h11-max-incomplete-event-size 16384 --timeout-graceful-shutdown 20 --proxy-headers --no-access-log"]
