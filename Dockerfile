# Speech Coach application image: the bot, every dataflow and the CLI.
#
# The base image is pinned in .env (PYTHON_IMAGE) and passed in by
# docker-compose.yml; building by hand:
#   docker build --build-arg PYTHON_IMAGE="$(sed -n 's/^PYTHON_IMAGE=//p' .env)" .
ARG PYTHON_IMAGE
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# ffmpeg decodes Telegram's Opus voice notes; espeak-ng makes synthetic speech
# for smoke tests.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg espeak-ng \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . /app
# Editable: the code reads its data beside it (redpanda/topics.yaml, connectors/*.json,
# schemas/json, questionbank/data), as in a checkout.
RUN pip install --no-cache-dir -e . \
    && useradd --system --create-home --uid 10001 --user-group speech-coach \
    && mkdir -p /var/lib/speech-coach \
    && chown speech-coach:speech-coach /var/lib/speech-coach

USER speech-coach

ENTRYPOINT []
CMD ["speech-coach", "--help"]
