# Royal Orchestrator: one image for `royal serve` (API) and `royal worker` processes.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    PATH="/app/.venv/bin:$PATH"

RUN pip install --no-cache-dir uv
WORKDIR /app

# Dependencies first (cached while only the source changes), then the project itself.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN uv sync --frozen --no-dev

RUN useradd --create-home royal && mkdir -p /app/.royal && chown royal /app/.royal
USER royal

EXPOSE 2024
ENTRYPOINT ["royal"]
CMD ["serve", "--host", "0.0.0.0", "--port", "2024"]
