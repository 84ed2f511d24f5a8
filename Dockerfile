# canishare: a non-root image running `canishare serve`. Proven without Docker by
# scripts/image-check, which performs the same steps (wheel, fresh venv, non-root user,
# serve against a fake Slack, /readyz) and runs in CI.

# ---- build: a wheel of canishare, nothing else from the source tree reaches the image
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot bot
COPY conversation conversation
COPY policy policy
COPY storage storage
RUN python -m pip wheel --no-cache-dir --wheel-dir /wheels .

# ---- run: the wheel and its dependencies in a venv owned by root, run as an unprivileged user
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PATH=/opt/canishare/bin:$PATH \
    PORT=3000 CANISHARE_LOG_FORMAT=json \
    PROMETHEUS_MULTIPROC_DIR=/tmp/canishare-metrics
RUN python -m venv /opt/canishare \
 && groupadd --system --gid 10001 canishare \
 && useradd --system --uid 10001 --gid canishare --home-dir /var/lib/canishare --create-home canishare
COPY --from=build /wheels /wheels
RUN /opt/canishare/bin/pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER canishare
WORKDIR /var/lib/canishare
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"3000\")}/readyz', timeout=4)"
ENTRYPOINT ["canishare"]
CMD ["serve"]
