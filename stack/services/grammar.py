"""The grammar checker: LanguageTool's HTTP server (`/v2/check`), with the project's own rules.

The jars come from `stack/java/languagetool/pom.xml` (`stack install`); `stack/languagetool`
goes first on the classpath, where LanguageTool finds the project's extra rules
(`org/languagetool/rules/en/grammar_custom.xml`, category SPEECH_COACH).
"""

from __future__ import annotations

import ipaddress

from clients.grammar import GrammarClient, GrammarUnavailable
from clients.settings import GrammarConnection
from stack.services.base import Service, ServiceUnhealthy
from stack.services.java import java_command, write_log4j
from stack.settings import REPO_ROOT, StackSettings

MAIN = "org.languagetool.server.HTTPServer"
# The classpath root of the project's rules.
RULES_DIR = REPO_ROOT / "stack" / "languagetool"
RULES_FILE = RULES_DIR / "org" / "languagetool" / "rules" / "en" / "grammar_custom.xml"
CATEGORY = "SPEECH_COACH"
LANGUAGE = "en-US"
# The health probe checks this and wants a match of the project's rules in the answer, so a
# server that lost them (classpath, a broken rules file) is not healthy.
PROBE_TEXT = "In my opinion, a team bring more ideas than one person."
# The first check after a start loads the rules: several seconds; later ones take
# milliseconds.
PROBE_TIMEOUT_S = 60.0


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def client(settings: StackSettings, timeout_s: float = PROBE_TIMEOUT_S) -> GrammarClient:
    """A client of this stack's checker that asks once (a probe must not wait out retries)."""
    connection = GrammarConnection(
        url=settings.grammar_url, language=LANGUAGE, timeout_s=timeout_s, retry_s=0
    )
    return GrammarClient(connection)


def service(settings: StackSettings) -> Service:
    jars = settings.jars_dir / "languagetool"

    def prepare() -> None:
        if not any(jars.glob("languagetool-server-*.jar")):
            raise FileNotFoundError(f"{jars} has no LanguageTool: run `speech-coach stack install`")
        if not RULES_FILE.is_file():
            raise FileNotFoundError(f"{RULES_FILE} is missing")
        write_log4j(settings)

    def probe() -> None:
        try:
            matches = client(settings).check(PROBE_TEXT)
        except GrammarUnavailable as exc:
            raise ServiceUnhealthy(f"/v2/check: {exc.reason}") from exc
        if CATEGORY not in {m.category for m in matches}:
            raise ServiceUnhealthy(f"the {CATEGORY} rules are not loaded (from {RULES_DIR})")

    # Without --public LanguageTool listens on localhost only; it has no option for one
    # other address, so any other host means every interface.
    public = [] if _loopback(settings.host) else ["--public"]
    return Service(
        name="grammar",
        address=settings.grammar_url,
        ports={"grammar": settings.ports.grammar},
        command=java_command(
            settings,
            settings.grammar_heap,
            MAIN,
            "--port",
            str(settings.ports.grammar),
            *public,
            classpath=f"{RULES_DIR}:{jars}/*",
        ),
        prepare=prepare,
        probe=probe,
    )
