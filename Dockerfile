# Speech Coach images, two targets:
#   app (the last stage, the default): the bot, every dataflow and the CLI;
#   grammar: the LanguageTool grammar checker with the project's rules (compose's `grammar`).
#
# The base images are pinned in .env (PYTHON_IMAGE, LANGUAGETOOL_BUILD_IMAGE,
# LANGUAGETOOL_JRE_IMAGE) and passed in by docker-compose.yml. Every build needs all three,
# whichever target it builds (an empty FROM fails even in a stage not built); by hand:
#   docker build $(sed -n 's/^\(PYTHON_IMAGE\|LANGUAGETOOL_[A-Z_]*\)=/--build-arg \1=/p' .env) \
#     --target app .
ARG PYTHON_IMAGE
ARG LANGUAGETOOL_BUILD_IMAGE
ARG LANGUAGETOOL_JRE_IMAGE

# ------------------------------------------------------------------ grammar checker
# LanguageTool's jars, resolved by Maven from the pom the native stack uses
# (stack/java/languagetool/pom.xml), so both run the same release.
FROM ${LANGUAGETOOL_BUILD_IMAGE} AS grammar-jars
WORKDIR /build
COPY stack/java/languagetool/pom.xml pom.xml
RUN mvn -B -q -f pom.xml dependency:copy-dependencies \
        -DoutputDirectory=/opt/languagetool/jars -DincludeScope=runtime

FROM ${LANGUAGETOOL_JRE_IMAGE} AS grammar
# curl: the compose healthcheck.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10002 --user-group languagetool
COPY --from=grammar-jars /opt/languagetool/jars /opt/languagetool/jars
# The classpath root of the project's rules (org/languagetool/rules/en/grammar_custom.xml),
# first on the classpath as in the native stack (stack/services/grammar.py).
COPY stack/languagetool /opt/languagetool/rules
USER languagetool
EXPOSE 8010
# --public: listen on the container's interfaces (LanguageTool's default is localhost only).
CMD ["java", "-Xms512m", "-Xmx512m", "-XX:+UseG1GC", "-Djava.awt.headless=true", \
     "-cp", "/opt/languagetool/rules:/opt/languagetool/jars/*", \
     "org.languagetool.server.HTTPServer", "--port", "8010", "--public"]

# ---------------------------------------------------------------------- application
FROM ${PYTHON_IMAGE} AS app

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
